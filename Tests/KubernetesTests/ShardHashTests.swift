import Testing

@testable import Kubernetes

/// The shard of a target must be the same in every replica, process and release.
@Suite struct ShardHashTests {
    /// FNV-1a's published test vectors: a seeded hash would differ from run to run.
    @Test func isFNV1a() {
        #expect(ShardHash.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(ShardHash.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(ShardHash.fnv1a("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func oneShardIsBucketZero() {
        #expect(ShardHash.bucket(of: "llm/chat-predictor", shards: 1) == 0)
        #expect(ShardHash.bucket(of: "llm/chat-predictor", shards: 0) == 0)
    }

    /// 3,000 targets over 6 shards: every shard gets some, none more than twice its share.
    @Test func spreadsTargets() {
        var counts = Array(repeating: 0, count: 6)
        for i in 0..<3000 { counts[ShardHash.bucket(of: "team-\(i % 7)/model-\(i)-predictor", shards: 6)] += 1 }
        #expect(counts.allSatisfy { $0 > 250 && $0 < 1000 }, "\(counts)")
    }
}
