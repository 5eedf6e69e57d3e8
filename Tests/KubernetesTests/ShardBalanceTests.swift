import Testing

@testable import Kubernetes

/// Fair shares of the shard Leases: fed views, asserted plans; no API, no sleeps.
@Suite struct ShardBalanceTests {
    @Test func aLoneReplicaTakesEveryShard() {
        let plan = ShardBalance.plan(identity: "a", holders: [nil, nil, nil], members: ["a"])
        #expect(plan.release.isEmpty)
        #expect(Set(plan.acquire) == [0, 1, 2])
    }

    /// A second replica joins: the first gives up its surplus above ⌈3/2⌉ = 2.
    @Test func aReplicaAboveTheCeilingReleases() {
        let plan = ShardBalance.plan(identity: "a", holders: ["a", "a", "a"], members: ["a", "b"])
        #expect(plan == ShardBalance(release: [2]))
        #expect(ShardBalance.plan(identity: "b", holders: ["a", "a", "a"], members: ["a", "b"]) == ShardBalance())
        #expect(ShardBalance.plan(identity: "b", holders: ["a", "a", nil], members: ["a", "b"]) == ShardBalance(acquire: [2]))
    }

    /// 4 shards, 3 replicas holding 2, 2, 0: the most loaded (ties: the greatest identity) gives one up,
    /// and only the starved replica may take it.
    @Test func aStarvedReplicaGetsAShard() {
        let holders: [String?] = ["a", "a", "b", "b"]
        let members: Set<String> = ["a", "b", "c"]
        #expect(ShardBalance.plan(identity: "b", holders: holders, members: members) == ShardBalance(release: [3]))
        #expect(ShardBalance.plan(identity: "a", holders: holders, members: members) == ShardBalance())
        let after: [String?] = ["a", "a", "b", nil]
        #expect(ShardBalance.plan(identity: "b", holders: after, members: members) == ShardBalance(), "b would take it back")
        #expect(ShardBalance.plan(identity: "a", holders: after, members: members) == ShardBalance(), "a is at its ceiling")
        #expect(ShardBalance.plan(identity: "c", holders: after, members: members) == ShardBalance(acquire: [3]))
    }

    @Test func aBlockedShardIsLeftToTheOthers() {
        #expect(ShardBalance.plan(identity: "a", holders: [nil, nil, "b"], members: ["a", "b"], blocked: [0, 1]) == ShardBalance())
        // Nobody else wants it (the other replica left, or is at its share): taken back.
        #expect(ShardBalance.plan(identity: "a", holders: [nil, nil], members: ["a"], blocked: [0, 1]).acquire.sorted() == [0, 1])
        #expect(ShardBalance.plan(identity: "a", holders: ["a", nil, "b", "b"], members: ["a", "b"], blocked: [1]) == ShardBalance(acquire: [1]))
    }

    /// Holders count as members even before the roster shows them.
    @Test func holdersAreMembers() {
        #expect(ShardBalance.plan(identity: "a", holders: ["a", "a", "b", "b"], members: ["a"]) == ShardBalance())
    }

    /// Replicas joining one by one, each round every replica planning on the same view, settle with every
    /// replica within one shard of any other and every shard held, whatever the counts.
    @Test(arguments: [(1, 1), (3, 2), (3, 3), (4, 3), (6, 3), (7, 3), (16, 5), (2, 3)])
    func joiningReplicasSettleEvenly(shards: Int, replicas: Int) {
        var holders: [String?] = Array(repeating: nil, count: shards)
        var members: Set<String> = []
        for joined in 0..<replicas {
            members.insert("replica-\(joined)")
            for _ in 0..<(4 * shards + 4) {
                for member in members.sorted() {
                    let plan = ShardBalance.plan(identity: member, holders: holders, members: members)
                    for shard in plan.release { holders[shard] = nil }
                    // The first to write a free shard wins it; the others see it held.
                    for shard in plan.acquire where holders[shard] == nil { holders[shard] = member }
                }
            }
        }
        let counts = members.map { m in holders.filter { $0 == m }.count }
        #expect(holders.allSatisfy { $0 != nil }, "\(holders)")
        #expect(counts.max()! - counts.min()! <= 1, "\(counts)")
        #expect(counts.max()! == (shards + replicas - 1) / replicas)
    }

    /// A replica that is gone: the survivors take its shards once its roster entry and Leases expire.
    @Test func survivorsTakeAGoneReplicasShards() {
        var holders: [String?] = ["a", "a", nil, nil, "c", "c"]  // b's Leases expired
        let members: Set<String> = ["a", "c"]
        for _ in 0..<4 {
            for member in members.sorted() {
                for shard in ShardBalance.plan(identity: member, holders: holders, members: members).acquire where holders[shard] == nil {
                    holders[shard] = member
                }
            }
        }
        #expect(holders.filter { $0 == "a" }.count == 3)
        #expect(holders.filter { $0 == "c" }.count == 3)
    }
}
