import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

/// Shard Leases against the fake API: replicas split the shards evenly, never hold one at once, and take a
/// crashed replica's shards once their Leases expire (and a stopped one's at once).
@Suite struct ShardElectorTests {
    static func elector(_ identity: String, shards: Int, lease: Double, client: KubernetesClient) throws -> ShardElector {
        try ShardElector(api: client, configuration: .init(shards: shards, leaseName: "inferscale",
                                                           election: .init(identity: identity, leaseDuration: lease,
                                                                           renewDeadline: lease * 2 / 3, retryPeriod: 0.2)),
                         namespace: "ml")
    }

    /// Polls every 50 ms until `check` holds or `seconds` pass, asserting on each poll that no shard is held by two
    /// electors; the seconds it took, or nil.
    static func within(_ seconds: Double, _ electors: [ShardElector], shards: Int, _ check: () -> Bool) async throws -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(seconds) {
            for shard in 0..<shards {
                let holding = electors.filter { $0.holds(shard: shard) }.count
                #expect(holding <= 1, "shard \(shard) held by \(holding) electors at once")
            }
            if check() {
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func threeReplicasSplitSixShardsAndACrashedOnesAreTaken() async throws {
        try await withFakeAPI { server, client in
            let lease = 4.0
            let electors = try ["a", "b", "c"].map { try Self.elector($0, shards: 6, lease: lease, client: client) }
            let tasks = electors.map { e in Task { await e.run() } }
            let even = try await Self.within(40, electors, shards: 6) { electors.allSatisfy { $0.heldShards.count == 2 } }
            #expect(even != nil, "held: \(electors.map(\.heldShards))")
            #expect(Set(electors.flatMap(\.heldShards)) == Set(0..<6))
            #expect(electors.allSatisfy { $0.members == 3 })
            // The Leases say the same: two shards per holder.
            var holders: [String: Int] = [:]
            for shard in 0..<6 {
                let written = try await client.getLease(namespace: "ml", name: "inferscale-shard-\(shard)")
                holders[written.spec.holderIdentity ?? "", default: 0] += 1
            }
            #expect(holders == ["a": 2, "b": 2, "c": 2])

            // c crashes (no release): a and b take its shards once the Leases expire, three each.
            let lost = electors[2].heldShards
            tasks[2].cancel()
            await tasks[2].value
            let survivors = Array(electors.prefix(2))
            let taken = try await Self.within(lease + 20, survivors, shards: 6) { survivors.allSatisfy { $0.heldShards.count == 3 } }
            #expect(taken != nil, "held: \(survivors.map(\.heldShards)); c had \(lost)")
            if let taken { #expect(taken <= lease + 6, "takeover took \(taken) s") }

            for e in survivors { e.requestShutdown() }
            for t in tasks.prefix(2) { await t.value }
            _ = server
        }
    }

    /// A replica that stops releases its shards, and the other takes them well before a Lease could expire.
    @Test func aStoppedReplicaHandsItsShardsOverAtOnce() async throws {
        try await withFakeAPI { _, client in
            let lease = 30.0
            let a = try Self.elector("a", shards: 4, lease: lease, client: client)
            let b = try Self.elector("b", shards: 4, lease: lease, client: client)
            let ta = Task { await a.run() }
            let tb = Task { await b.run() }
            let even = try await Self.within(40, [a, b], shards: 4) { a.heldShards.count == 2 && b.heldShards.count == 2 }
            #expect(even != nil, "held: \(a.heldShards) \(b.heldShards)")
            b.requestShutdown()
            await tb.value
            #expect(b.heldShards.isEmpty)
            let taken = try await Self.within(lease / 2, [a, b], shards: 4) { a.heldShards.count == 4 }
            #expect(taken != nil, "a holds \(a.heldShards)")
            // b left the roster: a counts itself alone.
            #expect(a.members == 1)
            a.requestShutdown()
            await ta.value
            let written = try await client.getLease(namespace: "ml", name: "inferscale-shard-0")
            #expect(written.spec.holderIdentity == "")
        }
    }
}
