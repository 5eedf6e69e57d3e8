// Benchmarks run in a release build and print their figures: `make bench`.
runExpositionBenchmark()
