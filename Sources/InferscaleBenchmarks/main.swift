// Benchmarks run in a release build and print their figures: `make bench`.
print("no benchmarks yet")
await runRemoteWriteBenchmarks()
