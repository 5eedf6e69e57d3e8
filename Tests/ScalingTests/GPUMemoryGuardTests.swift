import Foundation
import Testing
@testable import Scaling

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

/// The GPU-memory guard fed with per-pod figures: it holds a scale-down whose leaving pods' memory would push a
/// remaining pod over the ceiling, lets one through that fits, and falls back to the mean when figures are
/// incomplete or stale.
@Suite struct GPUMemoryGuardTests {
    func figures(_ shares: [Double], missing: [String] = []) -> GPUMemoryFigures {
        GPUMemoryFigures(pods: shares.enumerated().map { .init(name: "p-\($0.offset)", max: $0.element, mean: $0.element, devices: 1) },
                         missing: missing)
    }

    /// Load asks for one pod; the rule's ceiling is 90 %.
    func decider(ceiling: Double = 0.9) -> PolicyDecider {
        var spec = PolicySpec()
        spec.decider.maxScaleDownRate = 100
        spec.guards.gpuMemoryCeiling = ceiling
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 10, .gpuMemoryUtilization: 0.3]), at: t(s)) }
        return p
    }

    @Test func estimateSpreadsTheLeavingPodsMemoryOverThoseThatStay() throws {
        let f = figures([0.2, 0.6, 0.3, 0.5])
        // Keeping 2: 0.2 and 0.3 leave (0.5 over 2 pods), 0.6 becomes 0.85.
        #expect(abs(try #require(f.estimatedMax(keeping: 2)) - 0.85) < 1e-12)
        #expect(abs(try #require(f.estimatedMax(keeping: 1)) - 1.6) < 1e-12)
        #expect(f.estimatedMax(keeping: 4) == nil)
        #expect(f.estimatedMax(keeping: 0) == nil)
        #expect(f.replicasNeeded(from: 1, ceiling: 0.9).replicas == 2)
        #expect(f.replicasNeeded(from: 1, ceiling: 0.8).replicas == 3)
        #expect(f.max == 0.6)
        #expect(abs(try #require(f.mean) - 0.4) < 1e-12)
    }

    @Test func holdsAScaleDownThatWouldOverfillTheRemainingPods() throws {
        var p = decider()
        p.record(gpuMemory: figures([0.6, 0.6, 0.6, 0.6]), at: t(10))
        let r = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        // Three pods leaving 1.8 onto one: far over; keeping 2 gives 0.6 + 0.6 = 1.2; 3 gives 0.8.
        #expect(r.desired == 3)
        let clamp = try #require(r.clamps.first { $0.step == "guard:gpu-memory" })
        #expect(clamp.from == 1 && clamp.to == 3)
        #expect(clamp.detail.contains("60% 60% 60% 60%"))
        #expect(r.gpuMemory?.pods.count == 4)
    }

    @Test func letsThroughAScaleDownThatFits() {
        var p = decider()
        p.record(gpuMemory: figures([0.2, 0.1, 0.15, 0.3]), at: t(10))
        let r = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        #expect(r.desired == 1)  // 0.3 + 0.45 = 0.75 ≤ 0.9
        #expect(!r.clamps.contains { $0.step.hasPrefix("guard:") })
        #expect(r.gpuMemory?.max == 0.3)
    }

    @Test func perPodFiguresOverrideALowMean() {
        // The windows' mean (0.3) would let 4 → 2 through (0.3 × 4 / 0.9 = 1.3); the per-pod figures do not.
        var p = decider()
        p.record(gpuMemory: figures([0.85, 0.05, 0.1, 0.2]), at: t(10))
        let r = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        // Keeping 2: 0.05 and 0.1 leave, 0.85 + 0.075 = 0.925 > 0.9; keeping 3: 0.85 + 0.05 / 3 ≈ 0.867.
        #expect(r.desired == 3)
        #expect(r.clamps.contains { $0.step == "guard:gpu-memory" })
    }

    @Test func incompleteOrStaleFiguresFallBackToTheMean() {
        var p = decider()
        // One ready pod has no reading: the per-pod estimate cannot stand for it; the mean guard decides
        // (0.3 × 4 / 0.9 → 2 pods).
        p.record(gpuMemory: figures([0.9, 0.9, 0.9], missing: ["p-3"]), at: t(10))
        let incomplete = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        #expect(incomplete.desired == 2)
        #expect(incomplete.gpuMemory?.missing == ["p-3"])
        var q = decider()
        q.record(gpuMemory: figures([0.9, 0.9, 0.9, 0.9]), at: t(2))
        let stale = q.evaluate(pods: PodCounts(ready: 4), at: t(10))
        #expect(stale.desired == 2)
        #expect(stale.gpuMemory == nil)
    }

    @Test func noReadingAtAllHoldsAScaleDownButNotAScaleToZero() throws {
        var spec = PolicySpec()
        spec.decider.maxScaleDownRate = 100
        spec.guards.gpuMemoryCeiling = 0.9
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 10]), at: t(s)) }
        let blind = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        #expect(blind.desired == 4)
        #expect(try #require(blind.clamps.first { $0.step == "guard:gpu-memory" }).detail.contains("no GPU memory reading"))
        var idle = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...10 { idle.record(SignalSample([.concurrency: 0]), at: t(s)) }
        let zero = idle.evaluate(pods: PodCounts(ready: 1), at: t(10))
        #expect(zero.desired == 0)
        #expect(!zero.clamps.contains { $0.step == "guard:gpu-memory" })
    }

    @Test func figuresRoundTripThroughTheDecisionLogAndOldRecordsStillDecode() throws {
        var p = decider()
        p.record(gpuMemory: figures([0.6, 0.6]), at: t(10))
        let r = p.evaluate(pods: PodCounts(ready: 2), at: t(10))
        let encoded = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(DecisionRecord.self, from: encoded) == r)
        var old = r
        old.gpuMemory = nil
        var json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(old)) as? [String: Any])
        json["gpuMemory"] = nil
        let decoded = try JSONDecoder().decode(DecisionRecord.self, from: try JSONSerialization.data(withJSONObject: json))
        #expect(decoded.gpuMemory == nil)
    }
}
