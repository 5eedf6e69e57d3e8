import GPU
import Testing

/// When the kubelet is asked again, and what is logged, pure: time is a parameter.
@Suite struct PodResourcesStateMachineTests {
    let t0 = ContinuousClock.now
    let missing = PodResourcesError(code: .socketNotFound, socket: "/k.sock")
    let refused = PodResourcesError(code: .unavailable, socket: "/k.sock", detail: "connection refused")

    @Test func asksAtMostOncePerInterval() {
        var machine = PodResourcesStateMachine(refreshInterval: .seconds(5))
        #expect(machine.refreshRequested(now: t0) == .refresh)
        #expect(machine.refreshSucceeded() == .logAvailable)
        #expect(machine.refreshRequested(now: t0 + .seconds(1)) == .useLast)
        #expect(machine.refreshRequested(now: t0 + .milliseconds(4999)) == .useLast)
        #expect(machine.refreshRequested(now: t0 + .seconds(5)) == .refresh)
        #expect(machine.refreshSucceeded() == .none)
        #expect(machine.condition == .up)
    }

    @Test func failuresAreRetriedAtTheSamePaceAndLoggedOncePerReason() {
        var machine = PodResourcesStateMachine(refreshInterval: .seconds(5))
        #expect(machine.refreshRequested(now: t0) == .refresh)
        #expect(machine.refreshFailed(missing) == .logUnavailable(missing))
        #expect(machine.refreshRequested(now: t0 + .seconds(2)) == .useLast)
        #expect(machine.refreshRequested(now: t0 + .seconds(5)) == .refresh)
        #expect(machine.refreshFailed(missing) == .none)
        #expect(machine.refreshRequested(now: t0 + .seconds(10)) == .refresh)
        #expect(machine.refreshFailed(refused) == .logUnavailable(refused))
        // The same code with other detail text is the same condition.
        var again = refused
        again.detail = "connection reset"
        #expect(machine.refreshRequested(now: t0 + .seconds(15)) == .refresh)
        #expect(machine.refreshFailed(again) == .none)
        #expect(machine.refreshRequested(now: t0 + .seconds(20)) == .refresh)
        #expect(machine.refreshSucceeded() == .logAvailable)
        #expect(machine.condition == .up)
    }
}
