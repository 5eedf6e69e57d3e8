import AutoscalerCore
import Rules
import Scaling

/// A fleet-wide load step in one decide tick (printed after `--only loop-tick`): every target's load jumps
/// tenfold, so the first tick after it changes every target's count, and each scale write waits `writeMilliseconds`
/// (an API server round trip; the fake API in the fleet benchmark answers in well under one, which is why the fleet
/// runs do not show this). Prints that tick's wall time with one write in flight (baseline: how the loop wrote before,
/// one after another) and with the default `writesInFlight`.
func runStepWritesBenchmark(targets: Int = 1_000, writeMilliseconds: Int = 5) async throws {
    let rules = try LoopTickRun.rules()
    let list = LoopTickRun.fleet(targets)
    print("step writes: \(targets) targets stepped from 20 to 200 concurrent requests in one tick, each scale write \(writeMilliseconds) ms")
    var baseline: Double?
    for width in [1, ControlLoop.Configuration().writesInFlight] {
        let load = StepLoad()
        let actuator = SlowActuator(milliseconds: writeMilliseconds)
        let loop = ControlLoop(configuration: .init(writesInFlight: width), rules: rules, discovery: FixedTargets(list: list),
                               source: load, actuator: actuator, log: try DecisionLog(path: nil))
        func at(_ s: Int) -> Timestamp { Timestamp(seconds: Int64(s)) }
        for s in 0..<60 {
            await loop.scrape(at: at(s))
            if s % 2 == 1 { await loop.decide(at: at(s)) }
        }
        let before = await actuator.count
        load.stepped = true
        await loop.scrape(at: at(60))
        let t0 = ContinuousClock.now
        await loop.decide(at: at(61))
        let seconds = (ContinuousClock.now - t0).benchSeconds
        let writes = await actuator.count - before
        let ratio = baseline.map { String(format: " (%.2f× the one-at-a-time tick)", seconds / $0) } ?? " (baseline)"
        print("  \(width) write\(width == 1 ? "" : "s") in flight: the step's tick took \(String(format: "%.3f", seconds)) s for \(writes) writes\(ratio)")
        if baseline == nil { baseline = seconds }
    }
}

/// 20 concurrent requests per target (two replicas at a target of 10 each) until `stepped`, then 200.
private final class StepLoad: MetricSource, @unchecked Sendable {
    // Set between rounds only; a round is awaited before it changes.
    var stepped = false
    func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        CollectedSignals(sample: SignalSample([.concurrency: stepped ? 200 : 20]), podsScraped: 2)
    }
}

private actor SlowActuator: ScaleActuator {
    let milliseconds: Int
    private(set) var count = 0
    init(milliseconds: Int) { self.milliseconds = milliseconds }
    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        try await Task.sleep(for: .milliseconds(milliseconds))
        count += 1
    }
}
