import Foundation
// Benchmarks run in a release build and print their figures with ratios to a baseline
// measured in the same run: `make bench`. `--only NAME` runs one of: decider, exposition,
// remote-write, scrape, reaction, cold-start, simulation. `--quick` shortens the real-time ones.
let arguments = CommandLine.arguments
if arguments.contains("--serve-pods") {
    try await servePods()
    exit(0)
}
let only = arguments.firstIndex(of: "--only").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
func wanted(_ name: String) -> Bool { only == nil || only == name }

if wanted("decider") {
    do { try runDeciderBenchmark() } catch { print("decider benchmark failed: \(error)") }
}
if wanted("exposition") { runExpositionBenchmark() }
if wanted("remote-write") { await runRemoteWriteBenchmarks() }
if wanted("scrape") {
    do { try await runScrapeBenchmark(pods: arguments.contains("--quick") ? 1_000 : 10_000) } catch { print("scrape benchmark failed: \(error)") }
}
if wanted("reaction") {
    do {
        try await runReactionBenchmark(steps: arguments.contains("--quick") ? 3 : 12)
    } catch {
        print("reaction benchmark failed: \(error)")
    }
}
if wanted("cold-start") {
    do {
        try await runColdStartBenchmark(starts: arguments.contains("--quick") ? 3 : 12)
    } catch {
        print("cold-start benchmark failed: \(error)")
    }
}
if wanted("simulation") { await runSimulationBenchmark(hours: arguments.contains("--quick") ? 2 : 24) }
