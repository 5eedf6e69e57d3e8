import Testing
import AutoscalerCore
import LoopTestKit
import Rules
import Scaling

/// Cluster settings reloaded into a running loop (Knative's `config-autoscaler` changed): targets already known
/// take them from the next tick, the scale-to-zero bounds included.
@Suite struct AutoscalerConfigReloadTests {
    @Test func aReloadedMinScaleHoldsAKnownTargetFromTheNextTick() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator(discovery: discovery)
        let loop = ControlLoop(configuration: .init(), rules: .empty, discovery: discovery, source: source, actuator: actuator,
                               log: try DecisionLog(path: nil))
        await source.set("llm/chat", SignalSample([.concurrency: 10]))
        for s in Int64(0)...10 {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
        #expect(await actuator.replicas.isEmpty, "one pod carries the load")

        var config = AutoscalerConfig()
        try config.set("min-scale", "3")
        await loop.apply(autoscalerConfig: config)
        await loop.scrape(at: Timestamp(seconds: 11))
        await loop.scrape(at: Timestamp(seconds: 12))
        await loop.decide(at: Timestamp(seconds: 12))
        #expect(await actuator.replicas == [3])
    }

    /// The scale-to-zero gate follows too: a grace period shortened by a reload ends on the new length (the old,
    /// 60 s, would keep the last pod past second 60).
    @Test func aReloadedGracePeriodGatesTheLastPod() async throws {
        var before = AutoscalerConfig()
        try before.set("stable-window", "6s")
        try before.set("scale-to-zero-grace-period", "60s")
        var after = before
        try after.set("scale-to-zero-grace-period", "6s")
        let discovery = MemoryDiscovery([target("batch", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator(discovery: discovery)
        let loop = ControlLoop(configuration: .init(autoscalerConfig: before), rules: .empty, discovery: discovery, source: source,
                               actuator: actuator, log: try DecisionLog(path: nil))
        await source.set("llm/batch", SignalSample([.concurrency: 10]))
        var zeroAt: Int64?
        for s in Int64(0)...50 where zeroAt == nil {
            if s == 10 { await source.set("llm/batch", SignalSample([.concurrency: 0])) }
            if s == 12 { await loop.apply(autoscalerConfig: after) }
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
            if await actuator.replicas.last == 0 { zeroAt = s }
        }
        let zero = try #require(zeroAt, "still not at zero at second 50")
        #expect(zero >= 16, "a stable window without load comes first")
    }
}
