import CoreMetrics
import Foundation
import Scraping
// Benchmarks run in a release build and print their figures with ratios to a baseline
// measured in the same run: `make bench`. `--only NAME` runs one of: decider, exposition,
// remote-write, scrape, pod-matching, reaction, cold-start, simulation, tune, calibration (and, only by name, fleet, loop-tick, scrape-cpu and soak).
// `--quick` shortens the real-time ones.
let arguments = CommandLine.arguments
if arguments.contains("--serve-pods") {
    try await servePods()
    exit(0)
}
if let i = arguments.firstIndex(of: "--serve-fleet"), arguments.indices.contains(i + 1), let count = Int(arguments[i + 1]) {
    func number(_ name: String) -> Int { arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil } ?? 0 }
    try await serveFleet(count: count, first: number("--first"), port: number("--port"))
    exit(0)
}
if arguments.contains("--help") || arguments.contains("-h") {
    print(BenchUsage.text)
    exit(0)
}
let only = arguments.firstIndex(of: "--only").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
if arguments.contains("--only"), only.map({ !(BenchUsage.everyRun + BenchUsage.onRequest).contains($0) }) ?? true {
    FileHandle.standardError.write(Data("inferscale-bench: --only needs one of \((BenchUsage.everyRun + BenchUsage.onRequest).joined(separator: ", ")), got \(only.map { "'\($0)'" } ?? "nothing")\n".utf8))
    exit(2)
}
func wanted(_ name: String) -> Bool { only == nil || only == name }

if wanted("decider") {
    do { try runDeciderBenchmark() } catch { print("decider benchmark failed: \(error)") }
}
if wanted("exposition") { runExpositionBenchmark() }
if wanted("pod-matching") { runPodMatchingBenchmark() }
if wanted("remote-write") { await runRemoteWriteBenchmarks() }
if wanted("scrape") {
    do { try await runScrapeBenchmark(pods: arguments.contains("--quick") ? 1_000 : 10_000) } catch { print("scrape benchmark failed: \(error)") }
}
if only == "scrape-cpu" {
    // Only on request (it binds one loopback address per pod): `--only scrape-cpu [--pods N] [--rounds R] [--client lean|ahc]`.
    func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } }
    do {
        try await runScrapeCPUBenchmark(pods: option("--pods").flatMap(Int.init) ?? 2_000, rounds: option("--rounds").flatMap(Int.init) ?? 10,
                                      client: option("--client").flatMap(ScraperConfiguration.Client.init(rawValue:)))
    } catch {
        print("scrape-cpu benchmark failed: \(error)")
    }
}
if wanted("reaction") {
    do {
        try await runReactionBenchmark(steps: arguments.contains("--quick") ? 3 : 12)
    } catch {
        print("reaction benchmark failed: \(error)")
    }
}
if only == "loop-tick" {
    // Only by name (it bootstraps the process's metrics): `--only loop-tick [--loop-targets 1000,10000]`.
    let counts = arguments.firstIndex(of: "--loop-targets").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        .map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1_000, 10_000]
    do { try await runLoopTickBenchmark(targetCounts: counts) } catch { print("loop-tick benchmark failed: \(error)") }
}
if only == "fleet" {
    // Only on request (it bootstraps the process's metrics and binds thousands of loopback addresses):
    // `--only fleet [--fleet-targets N] [--scrape-interval S] [--hostile-targets K] [--steps S]`. With `--hostile-targets`
    // the hostile run makes K whole targets hostile instead of 1 % of the pods (the issue's real-API run:
    // `--fleet-targets 200 --hostile-targets 10`); every hostile run prints its checks against the clean one.
    // `--processes P [--shards S] [--warm-up SECONDS] [--sharded-only]` runs inferscale as `inferscale run` processes instead
    // (the release binary beside this one): one replica, then P over S shards (default 2P, as the sharded overlay), clean pods.
    func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } }
    let metrics = FleetMetrics()
    MetricsSystem.bootstrap(metrics)
    let targets = option("--fleet-targets").flatMap(Int.init) ?? 1_000
    let interval = option("--scrape-interval").flatMap(Double.init) ?? 1
    let wholeHostile = option("--hostile-targets").flatMap(Int.init)
    let steps = option("--steps").flatMap(Int.init) ?? 12
    let measure = arguments.contains("--quick") ? 30.0 : 60.0
    if let processes = option("--processes").flatMap(Int.init) {
        // inferscale as real `inferscale run` processes: one replica, then `processes` sharded ones (when above 1).
        var bench = FleetProcessBenchmark(targets: targets, interval: interval, steps: steps, measureSeconds: measure, processes: processes)
        bench.shards = option("--shards").flatMap(Int.init) ?? 2 * processes
        if let warmUp = option("--warm-up").flatMap(Double.init) { bench.warmUpSeconds = warmUp }
        bench.singleFirst = !arguments.contains("--sharded-only")
        do { try await bench.run() } catch { print("fleet benchmark failed: \(error)") }
        exit(0)
    }
    do {
        let clean = try await runFleetBenchmark(targets: targets, hostile: false, scrapeInterval: interval, measureSeconds: measure, steps: steps, metrics: metrics)
        clean.print(baseline: nil)
        let hostile = try await runFleetBenchmark(targets: targets, hostile: true, wholeHostileTargets: wholeHostile, scrapeInterval: interval,
                                                  measureSeconds: measure, steps: steps, metrics: metrics)
        hostile.print(baseline: clean)
    } catch {
        print("fleet benchmark failed: \(error)")
    }
}
if wanted("cold-start") {
    do {
        try await runColdStartBenchmark(starts: arguments.contains("--quick") ? 3 : 12)
    } catch {
        print("cold-start benchmark failed: \(error)")
    }
}
if only == "soak" {
    // Only on request (minutes of real time): `--only soak [--seconds N] [--seed S] [--faults-per-class K]`.
    func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } }
    await runSoakBenchmark(seconds: option("--seconds").flatMap(Int.init), seed: option("--seed").flatMap(UInt64.init),
                           faultsPerClass: option("--faults-per-class").flatMap(Int.init))
}
if wanted("simulation") { await runSimulationBenchmark(hours: arguments.contains("--quick") ? 2 : 24) }
if wanted("tune") { await runTuneBenchmark() }
if wanted("calibration") { await runCalibrationBenchmark() }
