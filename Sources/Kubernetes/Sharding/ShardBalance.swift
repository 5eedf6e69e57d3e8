/// Fair shares of N shards among the live replicas: what one replica should release and what it may take.
/// Pure: every replica runs it on its own view of the shard Leases and the roster each retry period.
///
/// With M replicas each should hold ⌊N/M⌋ or ⌈N/M⌉ shards. A replica above ⌈N/M⌉ releases the surplus. While
/// another replica holds fewer than ⌊N/M⌋ and no shard is free, the most loaded replica above ⌊N/M⌋ (ties: the
/// greatest identity) releases one shard, and only replicas below ⌊N/M⌋ take free ones, so the released shard goes to the
/// starved replica rather than back. Otherwise a replica below ⌈N/M⌉ takes free shards up to it.
public struct ShardBalance: Sendable, Equatable {
    /// Shards this replica should release now (it stops acting on them first), in ascending order.
    public var release: [Int] = []
    /// Free shards this replica may try to take now, in the order to try them.
    public var acquire: [Int] = []

    /// Creates a plan.
    public init(release: [Int] = [], acquire: [Int] = []) {
        self.release = release
        self.acquire = acquire
    }

    /// The plan for `identity`.
    /// - Parameters:
    ///   - holders: for each shard, the identity holding an unexpired Lease on it (this replica for its own), or nil when free.
    ///   - members: the replicas known to run (the roster); holders count as members too.
    ///   - blocked: free shards this replica does not take now while another replica is below its share (it released
    ///     them within a lease duration).
    public static func plan(identity: String, holders: [String?], members: Set<String>, blocked: Set<Int> = []) -> ShardBalance {
        let shards = holders.count
        guard shards > 0 else { return ShardBalance() }
        var everyone = members
        everyone.insert(identity)
        var counts: [String: Int] = Dictionary(uniqueKeysWithValues: everyone.map { ($0, 0) })
        for holder in holders.compactMap({ $0 }) { counts[holder, default: 0] += 1 }
        let m = counts.count
        let low = shards / m
        let high = (shards + m - 1) / m
        let mine = holders.indices.filter { holders[$0] == identity }
        let starved = counts.contains { $0.key != identity && $0.value < low }

        if mine.count > high {
            return ShardBalance(release: Array(mine.suffix(mine.count - high)))
        }
        if starved, mine.count > low {
            // A free shard is the starved replica's to take first: giving up another would only add churn.
            if holders.contains(where: { $0 == nil }) { return ShardBalance() }
            let donor = counts.filter { $0.value > low }.max { a, b in a.value != b.value ? a.value < b.value : a.key < b.key }
            return donor?.key == identity ? ShardBalance(release: [mine.last!]) : ShardBalance()
        }
        let wanted = (starved ? low : high) - mine.count
        guard wanted > 0 else { return ShardBalance() }
        // Each replica starts its search at its own offset, so replicas starting together try different shards.
        let offset = Int(ShardHash.fnv1a(identity) % UInt64(shards))
        // A shard this replica gave up is left to the others while one of them is below its share.
        let othersWant = counts.contains { $0.key != identity && $0.value < high }
        let free = (0..<shards).map { ($0 + offset) % shards }.filter { holders[$0] == nil && !(othersWant && blocked.contains($0)) }
        return ShardBalance(acquire: Array(free.prefix(wanted)))
    }
}
