// Benchmarks run in a release build and print their figures with ratios to a baseline
// measured in the same run: `make bench`.
do {
    try runDeciderBenchmark()
} catch {
    print("benchmark failed: \(error)")
}
runExpositionBenchmark()
