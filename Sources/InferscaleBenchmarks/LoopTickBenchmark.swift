import AutoscalerCore
import ClusterAdapters
import Foundation
import Metrics
import Rules
import Scaling

/// The loop's own work per target per tick (`--only loop-tick [--loop-targets N,…]`): the real `ControlLoop` actor
/// with in-memory ports — a fixed target list, canned readings that cost nothing to collect, an actuator that
/// writes nowhere — driven on a manual clock at a 1 s scrape and a 2 s decide tick, with its metrics going to the
/// registry `inferscale run` serves (`PartitionedMetricsRegistry`). What it measures is what the loop adds to
/// scraping: recording each target's sample into its windows (a child task per target, the finished ones handed to the actor in batches),
/// then the decide tick (windows read, policy, scale-to-zero gate, metric handles, decision records).
///
/// Goal (issue 14): ≤ 5 µs of CPU per target per tick. Baseline in the same run: the pure core alone
/// (`PolicyDecider.record` and `evaluate` on the same readings and the same resolved policy, no actor, no tasks,
/// no metrics), so the ratio is the loop's overhead over its decision core.
func runLoopTickBenchmark(targetCounts: [Int]) async throws {
    MetricsSystem.bootstrap(PartitionedMetricsRegistry().factory)
    print("loop tick: ControlLoop record + decide on a manual clock (1 s scrape, 2 s decide), canned readings, Prometheus handles")
    for n in targetCounts {
        let figures = try await LoopTickRun(targets: n).run()
        figures.print()
    }
    try await runStepWritesBenchmark()
}

/// One run at `targets` targets × 2 ready pods: 60 s of history first (windows full), then `ticks` decide ticks
/// measured, each after two scrape rounds.
struct LoopTickRun {
    var targets: Int
    var ticks = 30

    struct Figures {
        var targets: Int, ticks: Int
        /// CPU seconds (this process) over the measured ticks: scrape rounds (recording) and decide ticks.
        var recordCPU: Double, decideCPU: Double
        /// Wall seconds of each decide tick, sorted.
        var decideTicks: [Double]
        /// CPU seconds of the baseline (the pure core on the same readings) over the same ticks.
        var baselineCPU: Double
        var desiredSum: Int64, baselineDesiredSum: Int64
        /// This process's RSS growth over the run (the loop, its windows, metric series and kept decision records), MiB.
        var residentGrowth: Double

        var perTargetTick: Double { (recordCPU + decideCPU) / Double(targets * ticks) }

        func print() {
            let us = perTargetTick * 1e6
            let base = baselineCPU / Double(targets * ticks) * 1e6
            Swift.print("  \(targets) targets × 2 pods, \(ticks) decide ticks (\(2 * ticks) scrape rounds): \(String(format: "%.2f", us)) µs of CPU per target per tick "
                + "(record \(String(format: "%.2f", recordCPU / Double(targets * ticks) * 1e6)) µs for its 2 samples, decide \(String(format: "%.2f", decideCPU / Double(targets * ticks) * 1e6)) µs); goal ≤ 5 µs: \(us <= 5 ? "met" : "NOT met")")
            Swift.print("    decide tick p50 \(ms(0.5)), p99 \(ms(0.99)), max \(ms(1.0)) (wall); RSS grew \(format1(residentGrowth)) MiB (\(format1(residentGrowth * 1024 / Double(targets))) KiB per target)")
            Swift.print("    baseline (PolicyDecider alone, same readings): \(String(format: "%.2f", base)) µs per target per tick; loop / baseline = \(String(format: "%.1f", us / base))×"
                + (desiredSum == baselineDesiredSum ? "" : "; desired replicas DIFFER from the baseline's (\(desiredSum) against \(baselineDesiredSum))"))
        }

        private func ms(_ p: Double) -> String {
            guard let v = percentile(decideTicks, p) else { return "n/a" }
            return "\(format1(v * 1000)) ms"
        }
    }

    /// Canned readings: target i reports a concurrency of 10 + (i × 7 + second) mod 40 per pod, so windows and
    /// decisions change every tick without any target going idle.
    static func load(target i: Int, second: Int) -> Double { Double(10 + (i &* 7 &+ second) % 40) }

    /// One concurrency rule (target 10 per pod, 1–100 replicas) for every target in namespace `bench`.
    static func rules() throws -> RuleSet {
        try RuleFiles.load([RuleFiles.File(path: "loop-tick.yaml", text: """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: fleet
                match: {namespace: bench}
                policy:
                  metrics: [{signal: concurrency, target: 10}]
                  minReplicas: 1
                  maxReplicas: 100
            """)])
    }

    /// `count` targets `bench/m0…`, each with 2 ready pods at 2 replicas.
    static func fleet(_ count: Int) -> [DiscoveredTarget] {
        (0..<count).map { i in
            DiscoveredTarget(description: TargetDescription(namespace: "bench", deployment: "m\(i)"),
                             pods: (0..<2).map { PodInfo(name: "m\(i)-\($0)", ip: "10.1.\(i / 250).\($0 + 2 * (i % 125))", ready: true,
                                                          readySince: Timestamp(seconds: 0), createdAt: Timestamp(seconds: 0)) },
                             replicas: 2)
        }
    }

    func run() async throws -> Figures {
        let rules = try Self.rules()
        let list = Self.fleet(targets)
        let index = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.key, $0) })
        let rss0 = residentMiB()
        let clock = LoopTickClock()
        let loop = ControlLoop(configuration: .init(), rules: rules, discovery: FixedTargets(list: list),
                               source: CannedReadings(index: index, clock: clock), actuator: NoActuator(), log: try DecisionLog(path: nil))
        func at(_ s: Int) -> Timestamp { Timestamp(seconds: Int64(s)) }
        // 60 s of history: the windows full, startup panic over.
        for s in 0..<60 {
            clock.second = s
            await loop.scrape(at: at(s))
            if s % 2 == 1 { await loop.decide(at: at(s)) }
        }
        var recordCPU = 0.0, decideCPU = 0.0, ticks: [Double] = [], desired: Int64 = 0
        for k in 0..<self.ticks {
            let s = 60 + 2 * k
            for second in [s, s + 1] {
                clock.second = second
                let c0 = processCPUSeconds()
                // As `inferscale run` drives it: the round started, its samples recorded as they arrive.
                await loop.startScrapes(at: at(second))
                await loop.waitForScrapes()
                recordCPU += processCPUSeconds() - c0
            }
            let c0 = processCPUSeconds(), t0 = ContinuousClock.now
            let records = await loop.decide(at: at(s + 1))
            ticks.append((ContinuousClock.now - t0).benchSeconds)
            decideCPU += processCPUSeconds() - c0
            if k == self.ticks - 1 { desired = records.reduce(0) { $0 + Int64($1.desired) } }
        }

        let growth = residentMiB() - rss0
        _ = await loop.status().count  // the loop lives until its memory is read

        // Baseline: the same policy and readings through the pure core.
        let spec = try ResolvedPolicy.resolve(rule: rules.rule(for: list[0].description), target: list[0].description).spec
        var deciders = list.map { PolicyDecider(spec: spec, target: $0.key, readyPods: 2, now: at(0)) }
        let startups = [PodStartup](repeating: PodStartup(createdAt: at(0), readyAt: at(0)), count: 2)
        func baselineSecond(_ s: Int, decide: Bool) -> Int64 {
            var sum: Int64 = 0
            // As the loop sees them: two ready pods, ready since 0 s, at 2 replicas.
            let pods = PodCounts(ready: 2, youngestReadyAgeSeconds: Double(s), currentReplicas: 2, startups: startups)
            for i in 0..<targets {
                deciders[i].record(SignalSample([.concurrency: 2 * Self.load(target: i, second: s)]), at: at(s))
                if decide { sum &+= Int64(deciders[i].evaluate(pods: pods, at: at(s)).desired) }
            }
            return sum
        }
        for s in 0..<60 { _ = baselineSecond(s, decide: s % 2 == 1) }
        let b0 = processCPUSeconds()
        var baselineDesired: Int64 = 0
        for k in 0..<self.ticks {
            let s = 60 + 2 * k
            _ = baselineSecond(s, decide: false)
            let sum = baselineSecond(s + 1, decide: true)
            if k == self.ticks - 1 { baselineDesired = sum }
        }
        let baselineCPU = processCPUSeconds() - b0
        return Figures(targets: targets, ticks: self.ticks, recordCPU: recordCPU, decideCPU: decideCPU, decideTicks: ticks.sorted(),
                       baselineCPU: baselineCPU, desiredSum: desired, baselineDesiredSum: baselineDesired, residentGrowth: growth)
    }
}

/// The second the canned readings are for (set by the driver before each round).
private final class LoopTickClock: @unchecked Sendable {
    // Written only between rounds, read only during them (the round is awaited before the next write).
    var second = 0
}

struct FixedTargets: TargetDiscovery {
    let list: [DiscoveredTarget]
    func targets() async throws -> [DiscoveredTarget] { list }
}

/// Each target's reading for the current second, for both its pods (a sum, as the scraping source reports).
private struct CannedReadings: MetricSource {
    let index: [String: Int]
    let clock: LoopTickClock
    func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        let i = index[target.key] ?? 0
        return CollectedSignals(sample: SignalSample([.concurrency: 2 * LoopTickRun.load(target: i, second: clock.second)]), podsScraped: 2)
    }
}

private struct NoActuator: ScaleActuator {
    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {}
}
