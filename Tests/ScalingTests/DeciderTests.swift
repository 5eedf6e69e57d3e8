import Testing
@testable import Scaling

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }
private func obs(_ stable: Double, _ panic: Double? = nil) -> Observation {
    Observation(stable: stable, panic: panic ?? stable)
}

/// Knative's defaults: target 70 per pod (100 × 0.7), total 100, TBC 211, threshold 2.
private func spec(_ edit: (inout DeciderSpec) -> Void = { _ in }) -> DeciderSpec {
    var s = DeciderSpec()
    edit(&s)
    return s
}

@Suite struct DeciderTests {
    @Test func desiredIsStableValueOverTarget() {
        var d = Decider(spec: spec(), readyPods: 1, now: t(0))
        // ceil(130 / 70) = 2; panic 130/70 → 2 pods / 1 ready = 2 ≥ 2 would panic, so keep panic low.
        let r = d.evaluate(readyPods: 2, observation: obs(130, 100), now: t(2))
        #expect(r.isValid)
        #expect(r.desiredPodCount == 2)
        #expect(!d.inPanic)
    }

    @Test func noDataIsInvalidNotZero() {
        var d = Decider(spec: spec(), readyPods: 1, now: t(0))
        let r = d.evaluate(readyPods: 1, observation: nil, now: t(2))
        #expect(!r.isValid)
        #expect(r.desiredPodCount == -1)
        #expect(r.invalidReason == .noData)
        #expect(d.evaluate(readyPods: nil, observation: obs(10), now: t(4)).invalidReason == .noPodCount)
    }

    @Test func scaleDownIsLimitedRelativeToReadyPods() {
        // 10 ready, load 0: floor(10 / 2) = 5 is the least this decision may keep.
        var d = Decider(spec: spec(), readyPods: 0, now: t(0))
        #expect(d.evaluate(readyPods: 10, observation: obs(0), now: t(2)).desiredPodCount == 5)
        // Rate 3: floor(10 / 3) = 3.
        var d3 = Decider(spec: spec { $0.maxScaleDownRate = 3 }, readyPods: 0, now: t(0))
        #expect(d3.evaluate(readyPods: 10, observation: obs(0), now: t(2)).desiredPodCount == 3)
    }

    @Test func unreachableRevisionMayDropStraightToZero() {
        var d = Decider(spec: spec { $0.reachable = false }, readyPods: 0, now: t(0))
        #expect(d.evaluate(readyPods: 10, observation: obs(0), now: t(2)).desiredPodCount == 0)
    }

    @Test func scaleUpIsLimitedButAlwaysAllowsOnePod() {
        // Knative's example: rate 1.1, 2 ready, load 3 with target 1 wants 3; ceil(2.2) = 3 allows it.
        var d = Decider(spec: spec { $0.maxScaleUpRate = 1.1; $0.targetValue = 1; $0.panicThreshold = 10 }, readyPods: 0, now: t(0))
        #expect(d.evaluate(readyPods: 2, observation: obs(3), now: t(2)).desiredPodCount == 3)
        // Load 10 still gives 3 (the limit), not 10.
        #expect(d.evaluate(readyPods: 2, observation: obs(10), now: t(4)).desiredPodCount == 3)
    }

    @Test func zeroReadyPodsCountAsOneForLimits() {
        // R = max(1, 0): rate 2 allows ceil(2 × 1) = 2 pods from zero.
        var d = Decider(spec: spec { $0.maxScaleUpRate = 2; $0.panicThreshold = 100 }, readyPods: 0, now: t(0))
        #expect(d.evaluate(readyPods: 0, observation: obs(700), now: t(2)).desiredPodCount == 2)
    }

    @Test func activationScaleRaisesAnyNonZeroCount() {
        var d = Decider(spec: spec { $0.activationScale = 3 }, readyPods: 0, now: t(0))
        #expect(d.evaluate(readyPods: 1, observation: obs(1, 1), now: t(2)).desiredPodCount == 3)
        var idle = Decider(spec: spec { $0.activationScale = 3 }, readyPods: 0, now: t(0))
        #expect(idle.evaluate(readyPods: 0, observation: obs(0), now: t(2)).desiredPodCount == 0)
    }

    @Test func panicEntersRefreshesAndExitsAfterAStableWindow() {
        var d = Decider(spec: spec(), readyPods: 1, now: t(0))
        // Panic value 280 → ceil(280/70) = 4 pods on 1 ready = 4 ≥ 2: panic.
        let entered = d.evaluate(readyPods: 1, observation: obs(70, 280), now: t(10))
        #expect(d.inPanic)
        #expect(entered.desiredPodCount == 4)
        // Still over: the hold is refreshed at 20.
        _ = d.evaluate(readyPods: 2, observation: obs(70, 300), now: t(20))
        #expect(d.panicTime == t(20))
        // Below threshold: panic holds until 20 + 60 has passed (strictly after 80).
        _ = d.evaluate(readyPods: 5, observation: obs(70, 70), now: t(80))
        #expect(d.inPanic)
        let exited = d.evaluate(readyPods: 5, observation: obs(70, 70), now: t(82))
        #expect(!d.inPanic)
        #expect(d.maxPanicPods == 0)
        // In stable mode again: ceil(70/70) = 1, limited to floor(5/2) = 2.
        #expect(exited.desiredPodCount == 2)
    }

    @Test func noScaleDownInPanic() {
        var d = Decider(spec: spec(), readyPods: 1, now: t(0))
        #expect(d.evaluate(readyPods: 1, observation: obs(70, 700), now: t(2)).desiredPodCount == 10)
        // Load drops but panic holds the highest count.
        #expect(d.evaluate(readyPods: 10, observation: obs(10, 10), now: t(4)).desiredPodCount == 10)
        // A larger panic count raises it.
        #expect(d.evaluate(readyPods: 10, observation: obs(10, 1400), now: t(6)).desiredPodCount == 20)
    }

    @Test func panicPicksTheLargerOfStableAndPanic() {
        var d = Decider(spec: spec(), readyPods: 1, now: t(0))
        let r = d.evaluate(readyPods: 1, observation: obs(700, 140), now: t(2))
        #expect(d.inPanic)  // ceil(140/70) = 2 on 1 ready
        #expect(r.desiredPodCount == 10)
    }

    @Test func startsInPanicAfterRestartWithMoreThanOnePod() {
        var d = Decider(spec: spec(), readyPods: 5, now: t(0))
        #expect(d.inPanic)
        // No load, but the decider holds 5 for a stable window.
        #expect(d.evaluate(readyPods: 5, observation: obs(0), now: t(2)).desiredPodCount == 5)
        #expect(d.evaluate(readyPods: 5, observation: obs(0), now: t(60)).desiredPodCount == 5)
        let after = d.evaluate(readyPods: 5, observation: obs(0), now: t(62))
        #expect(!d.inPanic)
        #expect(after.desiredPodCount == 2)
        // One ready pod is not a restart worth protecting.
        #expect(!Decider(spec: spec(), readyPods: 1, now: t(0)).inPanic)
    }

    @Test func maxPanicPodsStartsAtTheReadyCount() {
        // Created with 1 ready pod: a later panic holds at least that one pod.
        var d = Decider(spec: spec { $0.maxScaleDownRate = 1000 }, readyPods: 1, now: t(0))
        #expect(d.maxPanicPods == 1)
    }

    @Test func scaleDownDelayHoldsTheHighestRecentCount() {
        var d = Decider(spec: spec { $0.scaleDownDelaySeconds = 10; $0.maxScaleDownRate = 100 }, readyPods: 0, now: t(0))
        #expect(d.evaluate(readyPods: 1, observation: obs(350, 70), now: t(0)).desiredPodCount == 5)
        // Load falls: the count stays at 5 while the 5 is inside the 10 s (5 × 2 s) window.
        for s in stride(from: Int64(2), through: 8, by: 2) {
            let r = d.evaluate(readyPods: 5, observation: obs(70, 70), now: t(s))
            #expect(r.desiredPodCount == 5)
            #expect(r.details?.undelayedPods == 1)
        }
        #expect(d.evaluate(readyPods: 5, observation: obs(70, 70), now: t(10)).desiredPodCount == 1)
    }

    @Test func scaleDownDelayDoesNotApplyToUnreachableRevisions() {
        var d = Decider(spec: spec { $0.scaleDownDelaySeconds = 10; $0.reachable = false }, readyPods: 0, now: t(0))
        _ = d.evaluate(readyPods: 1, observation: obs(350, 70), now: t(0))
        #expect(d.evaluate(readyPods: 5, observation: obs(0), now: t(2)).desiredPodCount == 0)
    }

    @Test func excessBurstCapacityUsesPanicValueAndRawReadyPods() {
        // floor(3 × 100 − 211 − 50.5) = 38.
        var d = Decider(spec: spec(), readyPods: 0, now: t(0))
        #expect(d.evaluate(readyPods: 3, observation: obs(10, 50.5), now: t(2)).excessBurstCapacity == 38)
        // Zero ready pods: −211 − panic.
        #expect(d.evaluate(readyPods: 0, observation: obs(0, 0), now: t(4)).excessBurstCapacity == -211)
        var off = Decider(spec: spec { $0.targetBurstCapacity = 0 }, readyPods: 0, now: t(0))
        #expect(off.evaluate(readyPods: 3, observation: obs(10, 500), now: t(2)).excessBurstCapacity == 0)
        var always = Decider(spec: spec { $0.targetBurstCapacity = -1 }, readyPods: 0, now: t(0))
        #expect(always.evaluate(readyPods: 3, observation: obs(10, 5), now: t(2)).excessBurstCapacity == -1)
    }
}
