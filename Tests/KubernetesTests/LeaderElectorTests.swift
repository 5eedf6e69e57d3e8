import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

@Suite struct LeaderElectorTests {
    /// Fast timing so the tests take well under a second per handover: lease 1 s, renew deadline 0.6 s, retry 0.1 s.
    static func configuration(_ identity: String) -> LeaderElectionStateMachine.Configuration {
        .init(identity: identity, leaseDuration: 1, renewDeadline: 0.6, retryPeriod: 0.1)
    }

    /// Records leadership changes of several electors: (identity, isLeader).
    final class Changes: Sendable {
        let recorder = TestRecorder<(String, Bool)>()
        /// Identities leading now, by replaying the changes.
        var leaders: Set<String> {
            var set: Set<String> = []
            for (identity, leading) in recorder.values {
                if leading { set.insert(identity) } else { set.remove(identity) }
            }
            return set
        }
    }

    @Test func onlyOneOfTwoElectorsLeads() async throws {
        try await withFakeAPI { server, client in
            let changes = Changes()
            // "No flapping" is asserted, so the renew deadline must outlast a renewal on a loaded machine:
            // lease 6 s, renew deadline 4 s (a 0.6 s deadline lost the lease under CI load).
            func roomy(_ identity: String) -> LeaderElectionStateMachine.Configuration {
                .init(identity: identity, leaseDuration: 6, renewDeadline: 4, retryPeriod: 0.1)
            }
            let a = try LeaderElector(api: client, configuration: roomy("a"), namespace: "ml", leaseName: "inferscale")
            let b = try LeaderElector(api: client, configuration: roomy("b"), namespace: "ml", leaseName: "inferscale")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await a.run { changes.recorder.append(("a", $0)) } }
                group.addTask { await b.run { changes.recorder.append(("b", $0)) } }
                try await changes.recorder.waitUntil("a leader") { !$0.isEmpty }
                // Let the leader renew many times while the other keeps trying.
                try await server.waitUntil("eight renewals") {
                    $0.requestCount(method: "PUT", pathSuffix: "/leases/inferscale") >= 8
                }
                #expect(changes.leaders.count == 1)
                #expect([a.isLeader, b.isLeader].filter { $0 }.count == 1)
                #expect(changes.recorder.values.count == 1)  // no flapping
                let lease = try await client.getLease(namespace: "ml", name: "inferscale")
                #expect(lease.spec.holderIdentity == changes.leaders.first)
                #expect(lease.spec.leaseDurationSeconds == 6)
                a.requestShutdown()
                b.requestShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func gracefulReleaseHandsOverAtOnce() async throws {
        try await withFakeAPI { server, client in
            let changes = Changes()
            // A long lease: a handover faster than it proves the release worked.
            let slow = LeaderElectionStateMachine.Configuration(identity: "a", leaseDuration: 30, renewDeadline: 20, retryPeriod: 0.1)
            let a = try LeaderElector(api: client, configuration: slow, namespace: "ml", leaseName: "inferscale")
            var slowB = slow
            slowB.identity = "b"
            let b = try LeaderElector(api: client, configuration: slowB, namespace: "ml", leaseName: "inferscale")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await a.run { changes.recorder.append(("a", $0)) } }
                try await changes.recorder.waitUntil("a leads") { $0.count == 1 }
                group.addTask { await b.run { changes.recorder.append(("b", $0)) } }
                try await server.waitUntil("b saw the lease") { $0.requests.filter { $0.method == "GET" }.count >= 2 }
                let released = ContinuousClock.now
                a.requestShutdown()
                try await changes.recorder.waitUntil("b leads", timeout: .seconds(10)) { values in
                    values.contains { $0.0 == "b" && $0.1 }
                }
                let handover = ContinuousClock.now - released
                // Far below the 30 s lease: the release, not the expiry, handed over (loose for noisy CI machines).
                #expect(handover < .seconds(10))
                #expect(!a.isLeader && b.isLeader)
                // a stepped down before b took over.
                let order = changes.recorder.values.map { "\($0.0):\($0.1)" }
                #expect(order == ["a:true", "a:false", "b:true"])
                let lease = try await client.getLease(namespace: "ml", name: "inferscale")
                #expect(lease.spec.holderIdentity == "b")
                #expect(lease.spec.leaseTransitions == 0)  // a released (empty holder) before b took it
                b.requestShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func cancelledLeaderIsReplacedWithinTheLeaseDuration() async throws {
        try await withFakeAPI { server, client in
            let changes = Changes()
            let a = try LeaderElector(api: client, configuration: Self.configuration("a"), namespace: "ml", leaseName: "inferscale")
            let b = try LeaderElector(api: client, configuration: Self.configuration("b"), namespace: "ml", leaseName: "inferscale")
            try await withThrowingTaskGroup(of: Void.self) { group in
                let leaderTask = Task { await a.run { changes.recorder.append(("a", $0)) } }
                try await changes.recorder.waitUntil("a leads") { $0.count == 1 }
                group.addTask { await b.run { changes.recorder.append(("b", $0)) } }
                try await server.waitUntil("b observed the lease twice") {
                    $0.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/leases/inferscale") }.count >= 2
                }
                // Kill the leader: no release is written.
                let killed = ContinuousClock.now
                leaderTask.cancel()
                await leaderTask.value
                try await changes.recorder.waitUntil("b leads", timeout: .seconds(10)) { values in
                    values.contains { $0.0 == "b" && $0.1 }
                }
                let handover = ContinuousClock.now - killed
                // Lease duration (1 s) plus one retry period to notice, plus slack for a loaded CI machine (the
                // parallel suite stalls tasks for seconds there); far below the 20 s a stuck takeover would wait.
                #expect(handover <= .seconds(5))
                #expect(handover >= .milliseconds(500))  // it did wait for expiry: no release happened
                let lease = try await client.getLease(namespace: "ml", name: "inferscale")
                #expect(lease.spec.holderIdentity == "b")
                #expect(lease.spec.leaseTransitions == 1)
                b.requestShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func leaderStepsDownWhenTheServerFailsPastTheRenewDeadline() async throws {
        try await withFakeAPI { server, client in
            let changes = Changes()
            let a = try LeaderElector(api: client, configuration: Self.configuration("a"), namespace: "ml", leaseName: "inferscale")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await a.run { changes.recorder.append(("a", $0)) } }
                try await changes.recorder.waitUntil("a leads") { $0.count == 1 }
                server.failNextRequests(1000)
                try await changes.recorder.waitUntil("a steps down", timeout: .seconds(10)) { $0.count == 2 }
                #expect(!a.isLeader)
                server.failNextRequests(0)
                try await changes.recorder.waitUntil("a leads again", timeout: .seconds(10)) { $0.count == 3 }
                a.requestShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func hungRenewalsEndLeadershipWithinTheRenewDeadline() async throws {
        try await withFakeAPI { server, client in
            let changes = Changes()
            let a = try LeaderElector(api: client, configuration: Self.configuration("a"), namespace: "ml", leaseName: "inferscale")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await a.run { changes.recorder.append(("a", $0)) } }
                try await changes.recorder.waitUntil("a leads") { $0.count == 1 }
                #expect(a.isLeader)
                // Every answer now takes 5 s: longer than the lease (1 s).
                server.delayNextResponses(1000, by: .seconds(5))
                let hung = ContinuousClock.now
                try await changes.recorder.waitUntil("a steps down", timeout: .seconds(10)) { $0.count == 2 }
                #expect(!a.isLeader)
                // Stepped down soon after the renew deadline (0.6 s); isLeader itself lapsed at the deadline.
                // Before any hung answer (5 s) came back: the deadline, not the answer, ended leadership.
                #expect(ContinuousClock.now - hung < .seconds(4.5))
                server.delayNextResponses(0, by: .zero)
                a.requestShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func leaseRulesOfTheFake() async throws {
        try await withFakeAPI { server, client in
            let lease = Lease(
                metadata: ObjectMeta(name: "leader", namespace: "ml"),
                spec: LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, renewTime: Date(timeIntervalSince1970: 1_767_225_605)))
            let created = try await client.createLease(lease)
            #expect(created.metadata.resourceVersion != nil)
            #expect(created.spec.renewTime == Date(timeIntervalSince1970: 1_767_225_605))
            // MicroTime on the wire.
            let stored = try #require(server.object(.leases, namespace: "ml", name: "leader"))
            #expect(stored[path: ["spec", "renewTime"]]?.stringValue == "2026-01-01T00:00:05.000000Z")

            let exists = await kubernetesError { _ = try await client.createLease(lease) }
            #expect(exists?.code == .alreadyExists)
            #expect(exists?.message == "leases.coordination.k8s.io \"leader\" already exists")

            var unconditional = created
            unconditional.metadata.resourceVersion = nil
            let refused = await kubernetesError { _ = try await client.updateLease(unconditional) }
            #expect(refused?.code == .invalid && refused?.httpStatus == 422)
            #expect(
                refused?.message
                    == "leases.coordination.k8s.io \"leader\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")

            var renewed = created
            renewed.spec.holderIdentity = "b"
            let updated = try await client.updateLease(renewed)
            let stale = await kubernetesError { _ = try await client.updateLease(renewed) }
            #expect(stale?.code == .conflict)
            #expect(stale?.status?.details?.kind == "leases")
            #expect(updated.spec.holderIdentity == "b")

            var zero = updated
            zero.spec.leaseDurationSeconds = 0
            let invalid = await kubernetesError { _ = try await client.updateLease(zero) }
            #expect(invalid?.httpStatus == 422)
            #expect(invalid?.status?.details?.causes?.first?.field == "spec.leaseDurationSeconds")

            let missing = await kubernetesError { _ = try await client.getLease(namespace: "ml", name: "nope") }
            #expect(missing?.code == .notFound)
        }
    }
}
