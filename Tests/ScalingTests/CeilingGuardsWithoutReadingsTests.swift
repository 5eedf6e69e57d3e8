import Testing
@testable import Scaling

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

/// The two ceiling guards behave alike when their signal has no reading at all: both hold a scale-down (passing it
/// could scale into a full KV cache or GPU), neither holds a scale to zero, and the record names them either way.
@Suite struct CeilingGuardsWithoutReadingsTests {
    enum Guard: String, CaseIterable, Sendable { case kvCache = "kv-cache", gpuMemory = "gpu-memory" }

    func decider(_ g: Guard, concurrency: Double, reading: Double? = nil) -> PolicyDecider {
        var spec = PolicySpec()
        spec.decider.maxScaleDownRate = 100
        switch g {
        case .kvCache: spec.guards.kvCacheCeiling = 0.8
        case .gpuMemory: spec.guards.gpuMemoryCeiling = 0.8
        }
        let signal: Signal = g == .kvCache ? .kvCacheUtilization : .gpuMemoryUtilization
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        var values: [Signal: Double] = [.concurrency: concurrency]
        if let reading { values[signal] = reading }
        for s in Int64(0)...10 { p.record(SignalSample(values), at: t(s)) }
        return p
    }

    @Test(arguments: Guard.allCases)
    func noReadingHoldsAScaleDown(_ g: Guard) throws {
        var p = decider(g, concurrency: 10)
        let r = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        #expect(r.desired == 4)
        let clamp = try #require(r.clamps.first { $0.step == "guard:\(g.rawValue)" })
        #expect(clamp.from == 1 && clamp.to == 4)
        #expect(clamp.detail == DecisionRecord.noReadingDetail(guard: g.rawValue, holding: 4))
        #expect(r.guardsWithoutReadings == [g.rawValue])
    }

    @Test(arguments: Guard.allCases)
    func noReadingDoesNotHoldAScaleToZero(_ g: Guard) {
        var p = decider(g, concurrency: 0)
        let r = p.evaluate(pods: PodCounts(ready: 1), at: t(10))
        #expect(r.desired == 0)
        #expect(!r.clamps.contains { $0.step.hasPrefix("guard:") })
    }

    /// Named even when nothing asks to scale down, so the loop's report does not come and go with the load.
    @Test(arguments: Guard.allCases)
    func aGuardWithoutReadingsIsNamedWhenNothingIsHeld(_ g: Guard) {
        var p = decider(g, concurrency: 280)
        let r = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        #expect(r.desired == 4)
        #expect(r.clamps.isEmpty)
        #expect(r.guardsWithoutReadings == [g.rawValue])
    }

    @Test(arguments: Guard.allCases)
    func withReadingsTheGuardEstimatesAndIsNotNamed(_ g: Guard) throws {
        // 4 pods at 50 %: ceil(0.5 × 4 / 0.8) = 3 pods keep the rest under 80 %.
        var p = decider(g, concurrency: 10, reading: 0.5)
        let r = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        #expect(r.desired == 3)
        #expect(try #require(r.clamps.first { $0.step == "guard:\(g.rawValue)" }).detail.contains("50%"))
        #expect(r.guardsWithoutReadings == nil)
    }
}
