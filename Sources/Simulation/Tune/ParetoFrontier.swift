/// The variants no other variant beats on both cost and latency: for each, every variant
/// that costs less serves a larger share of requests over the objective.
public enum ParetoFrontier {
    /// Indices of the frontier of `points`, cheapest first. A point is on it when no other
    /// point has both a cost and a share at most its own with one of them lower; of equal
    /// points, the first is kept.
    public static func indices(cost: [Double], share: [Double]) -> [Int] {
        precondition(cost.count == share.count, "one share per cost")
        let order = cost.indices.sorted { a, b in
            if cost[a] != cost[b] { return cost[a] < cost[b] }
            if share[a] != share[b] { return share[a] < share[b] }
            return a < b
        }
        var out: [Int] = []
        var best = Double.infinity
        for i in order where share[i] < best {
            out.append(i)
            best = share[i]
        }
        return out
    }
}
