import Foundation
import Testing

@testable import Kubernetes

@Suite struct LeaderElectionStateMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func machine(_ identity: String) -> LeaderElectionStateMachine {
        LeaderElectionStateMachine(configuration: .init(identity: identity), namespace: "ns", leaseName: "inferscale")
    }

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    /// What a server would answer to a write: the lease with a new resourceVersion.
    func stored(_ lease: Lease, version: Int) -> Lease {
        var lease = lease
        lease.metadata.resourceVersion = String(version)
        return lease
    }

    @Test func defaultsAreClientGos() {
        let configuration = LeaderElectionStateMachine.Configuration(identity: "a")
        #expect(configuration.leaseDuration == 15)
        #expect(configuration.renewDeadline == 10)
        #expect(configuration.retryPeriod == 2)
        #expect(configuration.validationError() == nil)
        #expect(LeaderElectionStateMachine.Configuration(identity: "a", leaseDuration: 5, renewDeadline: 10).validationError() != nil)
        #expect(LeaderElectionStateMachine.Configuration(identity: "").validationError() != nil)
    }

    @Test func acquiresAMissingLeaseByCreatingIt() throws {
        var a = machine("a")
        #expect(a.tick(now: at(0)) == .readLease)
        guard case .tryAcquire(let lease) = a.observed(nil, now: at(0)) else {
            Issue.record("expected tryAcquire")
            return
        }
        #expect(lease.metadata.resourceVersion == nil)
        #expect(lease.metadata.name == "inferscale" && lease.metadata.namespace == "ns")
        #expect(lease.spec.holderIdentity == "a")
        #expect(lease.spec.leaseDurationSeconds == 15)
        #expect(lease.spec.renewTime == at(0) && lease.spec.acquireTime == at(0))
        #expect(a.writeSucceeded(stored(lease, version: 1), now: at(0)) == .becameLeader)
        #expect(a.role == .leader)
    }

    @Test func theLeadersEndpointTravelsInItsLease() {
        let key = LeaderElectionStateMachine.endpointAnnotation
        var a = LeaderElectionStateMachine(configuration: .init(identity: "a", endpoint: "10.0.0.1:8080"), namespace: "ns", leaseName: "inferscale")
        var b = LeaderElectionStateMachine(configuration: .init(identity: "b", endpoint: "10.0.0.2:8080"), namespace: "ns", leaseName: "inferscale")
        _ = a.tick(now: at(0))
        guard case .tryAcquire(let created) = a.observed(nil, now: at(0)) else { return #expect(Bool(false)) }
        #expect(created.metadata.annotations?[key] == "10.0.0.1:8080")
        let v1 = stored(created, version: 1)
        _ = a.writeSucceeded(v1, now: at(0))
        #expect(a.leaderEndpoint(now: at(1)) == nil)  // the leader forwards to nobody
        _ = b.tick(now: at(1))
        #expect(b.observed(v1, now: at(1)) == .none)
        #expect(b.leaderEndpoint(now: at(1)) == "10.0.0.1:8080")
        // Once the lease has expired unrenewed, the endpoint is nobody's; the taker writes its own.
        #expect(b.leaderEndpoint(now: at(17)) == nil)
        _ = b.tick(now: at(17))
        guard case .tryAcquire(let taken) = b.observed(v1, now: at(17)) else { return #expect(Bool(false)) }
        #expect(taken.metadata.annotations?[key] == "10.0.0.2:8080")
        // A holder with no endpoint removes the one before it. c first sees b's record at 40 and
        // takes it once it has stayed unchanged for the lease duration on c's clock.
        var c = machine("c")
        let v2 = stored(taken, version: 2)
        _ = c.tick(now: at(40))
        #expect(c.observed(v2, now: at(40)) == .none)
        _ = c.tick(now: at(56))
        guard case .tryAcquire(let byC) = c.observed(v2, now: at(56)) else { return #expect(Bool(false)) }
        #expect(byC.spec.holderIdentity == "c")
        #expect(byC.metadata.annotations?[key] == nil)
    }

    @Test func leaderRenewsWithTheCachedVersionAndKeepsAcquireTime() {
        var a = machine("a")
        _ = a.tick(now: at(0))
        guard case .tryAcquire(let created) = a.observed(nil, now: at(0)) else { return #expect(Bool(false)) }
        _ = a.writeSucceeded(stored(created, version: 1), now: at(0))
        guard case .renew(let renewal) = a.tick(now: at(2)) else { return #expect(Bool(false)) }
        #expect(renewal.metadata.resourceVersion == "1")
        #expect(renewal.spec.renewTime == at(2))
        #expect(renewal.spec.acquireTime == at(0))
        #expect(a.writeSucceeded(stored(renewal, version: 2), now: at(2)) == .none)
        #expect(a.role == .leader)
    }

    @Test func followerWaitsWhileTheHolderRenewsAndTakesOverAfterExpiry() {
        var b = machine("b")
        var held = Lease(
            metadata: ObjectMeta(name: "inferscale", namespace: "ns", resourceVersion: "10"),
            spec: LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: at(0), renewTime: at(0), leaseTransitions: 0))
        #expect(b.tick(now: at(0)) == .readLease)
        #expect(b.observed(held, now: at(0)) == .none)
        // The holder renews: the record changes, so the expiry clock restarts.
        held.metadata.resourceVersion = "11"
        held.spec.renewTime = at(10)
        #expect(b.observed(held, now: at(10)) == .none)
        #expect(b.observed(held, now: at(24)) == .none)  // 14 s since the record changed
        guard case .tryAcquire(let takeover) = b.observed(held, now: at(25)) else { return #expect(Bool(false)) }
        #expect(takeover.metadata.resourceVersion == "11")
        #expect(takeover.spec.holderIdentity == "b")
        #expect(takeover.spec.leaseTransitions == 1)
        #expect(takeover.spec.acquireTime == at(25))
        #expect(b.writeSucceeded(stored(takeover, version: 12), now: at(25)) == .becameLeader)
    }

    @Test func expiryIsMeasuredOnTheObserversClockNotTheRecordedRenewTime() {
        var b = machine("b")
        // The holder's clock is an hour behind: its renewTime looks ancient, but it is renewing.
        let held = Lease(
            metadata: ObjectMeta(name: "inferscale", namespace: "ns", resourceVersion: "10"),
            spec: LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, renewTime: at(-3600)))
        #expect(b.observed(held, now: at(0)) == .none)
        #expect(b.observed(held, now: at(14)) == .none)
    }

    @Test func releasedLeaseIsTakenAtOnce() {
        var b = machine("b")
        let released = Lease(
            metadata: ObjectMeta(name: "inferscale", namespace: "ns", resourceVersion: "20"),
            spec: LeaseSpec(holderIdentity: "", leaseDurationSeconds: 1, renewTime: at(0), leaseTransitions: 3))
        guard case .tryAcquire(let lease) = b.observed(released, now: at(0)) else { return #expect(Bool(false)) }
        #expect(lease.spec.holderIdentity == "b")
        #expect(lease.spec.leaseTransitions == 3)
    }

    @Test func conflictOnAcquireLeavesAFollowerThatReadsAgain() {
        var b = machine("b")
        _ = b.tick(now: at(0))
        _ = b.observed(nil, now: at(0))
        #expect(b.writeConflict(now: at(0)) == .none)
        #expect(b.role == .follower)
        #expect(b.tick(now: at(2)) == .readLease)
    }

    @Test func leaderThatCannotRenewStepsDownAfterTheRenewDeadline() {
        var a = machine("a")
        _ = a.tick(now: at(0))
        guard case .tryAcquire(let created) = a.observed(nil, now: at(0)) else { return #expect(Bool(false)) }
        _ = a.writeSucceeded(stored(created, version: 1), now: at(0))
        for second in stride(from: 2.0, through: 10.0, by: 2) {
            guard case .renew = a.tick(now: at(second)) else { return #expect(Bool(false)) }
            #expect(a.writeFailed(now: at(second)) == .none)
        }
        #expect(a.tick(now: at(10.5)) == .lostLeadership)
        #expect(a.role == .follower)
        #expect(a.tick(now: at(12)) == .readLease)
    }

    @Test func leaderThatFindsAnotherHolderStepsDown() {
        var a = machine("a")
        _ = a.tick(now: at(0))
        guard case .tryAcquire(let created) = a.observed(nil, now: at(0)) else { return #expect(Bool(false)) }
        _ = a.writeSucceeded(stored(created, version: 1), now: at(0))
        guard case .renew = a.tick(now: at(2)) else { return #expect(Bool(false)) }
        #expect(a.writeConflict(now: at(2)) == .none)
        #expect(a.tick(now: at(4)) == .readLease)
        let taken = Lease(
            metadata: ObjectMeta(name: "inferscale", namespace: "ns", resourceVersion: "9"),
            spec: LeaseSpec(holderIdentity: "b", leaseDurationSeconds: 15, renewTime: at(3)))
        #expect(a.observed(taken, now: at(4)) == .lostLeadership)
    }

    @Test func gracefulShutdownReleasesOnlyWhenLeading() {
        var follower = machine("b")
        #expect(follower.shutdown(now: at(0)) == .stop)
        #expect(follower.tick(now: at(1)) == .none)

        var a = machine("a")
        _ = a.tick(now: at(0))
        guard case .tryAcquire(let created) = a.observed(nil, now: at(0)) else { return #expect(Bool(false)) }
        _ = a.writeSucceeded(stored(created, version: 7), now: at(0))
        guard case .release(let released) = a.shutdown(now: at(5)) else { return #expect(Bool(false)) }
        #expect(released.spec.holderIdentity == "")
        #expect(released.metadata.resourceVersion == "7")
        #expect(released.spec.renewTime == at(5))
        #expect(a.role == .stopped)
        #expect(a.tick(now: at(6)) == .none)
    }

    /// Two candidates share one simulated Lease with compare-and-swap on resourceVersion: exactly one leads at
    /// any moment, and after the leader releases, the other takes over on its next tick.
    @Test func twoCandidatesOnOneLease() {
        var server: Lease?
        var version = 0
        var leaders: Set<String> = []
        func apply(_ action: LeaderElectionStateMachine.Action, _ m: inout LeaderElectionStateMachine, now: Date) {
            var action = action
            for _ in 0..<4 {
                switch action {
                case .readLease:
                    action = m.observed(server, now: now)
                case .tryAcquire(let lease), .renew(let lease), .release(let lease):
                    let expected = server?.metadata.resourceVersion
                    if lease.metadata.resourceVersion != expected {
                        action = m.writeConflict(now: now)
                    } else {
                        version += 1
                        server = stored(lease, version: version)
                        if case .release = action { return }
                        action = m.writeSucceeded(server!, now: now)
                    }
                case .becameLeader:
                    leaders.insert(m.configuration.identity)
                    return
                case .lostLeadership:
                    leaders.remove(m.configuration.identity)
                    return
                case .none, .stop:
                    return
                }
            }
        }
        var a = machine("a")
        var b = machine("b")
        for step in 0..<20 {
            let now = at(Double(step) * 2)
            apply(a.tick(now: now), &a, now: now)
            apply(b.tick(now: now), &b, now: now)
            #expect(leaders.count == 1)
        }
        #expect(leaders == ["a"])
        let shutdownTime = at(41)
        apply(a.shutdown(now: shutdownTime), &a, now: shutdownTime)
        leaders.remove("a")
        apply(b.tick(now: at(42)), &b, now: at(42))
        #expect(leaders == ["b"])
        #expect(server?.spec.holderIdentity == "b")
    }
}
