import Testing
@testable import Scaling

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

@Suite struct ScaleToZeroStateMachineTests {
    @Test func boundsClampTheDecision() {
        var m = ScaleToZeroStateMachine(settings: .init(minScale: 2, maxScale: 5), now: t(0))
        #expect(m.reconcile(desired: 1, excessBurstCapacity: 0, readyPods: 2, now: t(2)).replicas == 2)
        #expect(m.reconcile(desired: 9, excessBurstCapacity: 0, readyPods: 2, now: t(4)).replicas == 5)
    }

    @Test func unreachableRevisionIgnoresMinScale() {
        var m = ScaleToZeroStateMachine(settings: .init(minScale: 2, reachable: false), now: t(0))
        let a = m.reconcile(desired: 0, excessBurstCapacity: -1, readyPods: 0, now: t(2))
        #expect(a.replicas != 2)
    }

    @Test func noMetricsYetLeavesReplicasAlone() {
        var m = ScaleToZeroStateMachine(settings: .init(), now: t(0))
        _ = m.reconcile(desired: 1, excessBurstCapacity: -1, readyPods: 1, now: t(1))  // now active
        #expect(m.reconcile(desired: -1, excessBurstCapacity: 0, readyPods: 1, now: t(2)).replicas == nil)
    }

    @Test func initialScaleIsAFloorUntilReached() {
        var m = ScaleToZeroStateMachine(settings: .init(initialScale: 3), now: t(0))
        #expect(m.reconcile(desired: 1, excessBurstCapacity: 0, readyPods: 0, now: t(2)).replicas == 3)
        #expect(m.reconcile(desired: 1, excessBurstCapacity: 0, readyPods: 3, now: t(4)).replicas == 3)
        #expect(m.initialized)
        #expect(m.reconcile(desired: 1, excessBurstCapacity: 0, readyPods: 3, now: t(6)).replicas == 1)
    }

    @Test func scaleToZeroWaitsForAStableWindowThenInactiveThenGrace() {
        var m = ScaleToZeroStateMachine(settings: .init(stableWindowSeconds: 60, gracePeriodSeconds: 30), now: t(0))
        // Active with one pod at 10 s; the activator is in the path (small revision: EBC < 0).
        #expect(m.reconcile(desired: 1, excessBurstCapacity: -111, readyPods: 1, now: t(10)).replicas == 1)
        #expect(m.phase == .active(since: t(10)))
        // The decider says 0 at 40 s: active for only 30 s, hold 1 until 70 s.
        let hold = m.reconcile(desired: 0, excessBurstCapacity: -211, readyPods: 1, now: t(40))
        #expect(hold.replicas == 1)
        #expect(hold.recheckAt == t(70))
        // At 70 s: marked inactive, 0 is not applied yet.
        let mark = m.reconcile(desired: 0, excessBurstCapacity: -211, readyPods: 1, now: t(70))
        #expect(mark.replicas == nil)
        #expect(m.phase == .inactive(since: t(70)))
        // The activator has been in the path since 0 s, longer than the grace period: fast path.
        let zero = m.reconcile(desired: 0, excessBurstCapacity: -211, readyPods: 1, now: t(72))
        #expect(zero.replicas == 0)
        #expect(zero.activatorInPath)
    }

    @Test func podRetentionKeepsTheLastPod() {
        var m = ScaleToZeroStateMachine(settings: .init(stableWindowSeconds: 60, gracePeriodSeconds: 30, podRetentionSeconds: 120), now: t(0))
        _ = m.reconcile(desired: 1, excessBurstCapacity: -1, readyPods: 1, now: t(0))
        _ = m.reconcile(desired: 0, excessBurstCapacity: -1, readyPods: 1, now: t(60))  // inactive at 60
        let wait = m.reconcile(desired: 0, excessBurstCapacity: -1, readyPods: 1, now: t(100))
        #expect(wait.replicas == nil)
        #expect(wait.recheckAt == t(180))
        #expect(m.reconcile(desired: 0, excessBurstCapacity: -1, readyPods: 1, now: t(180)).replicas == 0)
    }

    @Test func activatorMustHaveBeenInThePathForTheGracePeriod() {
        var m = ScaleToZeroStateMachine(settings: .init(stableWindowSeconds: 60, gracePeriodSeconds: 30), now: t(0))
        // Large revision serving directly (EBC ≥ 0): the activator leaves the path.
        _ = m.reconcile(desired: 5, excessBurstCapacity: 100, readyPods: 5, now: t(0))
        #expect(m.proxySince == nil)
        _ = m.reconcile(desired: 0, excessBurstCapacity: 100, readyPods: 5, now: t(60))  // marked inactive; activator back in path
        #expect(m.proxySince == t(60))
        let early = m.reconcile(desired: 0, excessBurstCapacity: 100, readyPods: 5, now: t(62))
        #expect(early.replicas == nil)
        #expect(m.reconcile(desired: 0, excessBurstCapacity: 100, readyPods: 5, now: t(90)).replicas == 0)
    }

    @Test func disabledScaleToZeroKeepsOnePod() {
        var m = ScaleToZeroStateMachine(settings: .init(enableScaleToZero: false), now: t(0))
        #expect(m.reconcile(desired: 0, excessBurstCapacity: 0, readyPods: 1, now: t(100)).replicas == 1)
    }

    @Test func stuckActivationGoesToZeroAfterTheTimeout() {
        var m = ScaleToZeroStateMachine(settings: .init(activationTimeoutSeconds: 630), now: t(0))
        let waiting = m.reconcile(desired: 0, excessBurstCapacity: -1, readyPods: 0, now: t(100))
        #expect(waiting.replicas == nil)
        #expect(waiting.recheckAt == t(630))
        var n = ScaleToZeroStateMachine(settings: .init(activationTimeoutSeconds: 630), now: t(0))
        #expect(n.reconcile(desired: 0, excessBurstCapacity: -1, readyPods: 0, now: t(631)).replicas == 0)
    }
}
