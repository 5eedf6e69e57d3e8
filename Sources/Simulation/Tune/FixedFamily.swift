/// Static provisioning: the same replica count throughout (`simulate`'s `fixed-N`). The issue's
/// bar for an autoscaler is to be cheaper than the cheapest static count that meets the
/// objective, and that count can only be found by replaying the trace, which this family does.
/// Not an inferscale rule: its cheapest variant is reported as the replica count to set.
public struct FixedFamily: TuneFamily {
    /// The counts tried, in this order.
    public struct Grid: Sendable {
        /// Replicas (default every count to 16, then coarser steps to 96: the steps stay within
        /// about a quarter of the count, which is finer than the share changes between them).
        public var counts: [Int] = Array(1...16) + [20, 24, 28, 32, 40, 48, 56, 64, 80, 96]
        public init() {}
    }

    public var grid = Grid()
    public var name: String { "fixed" }

    public init(grid: Grid = Grid()) { self.grid = grid }

    public func variants(in context: TuneContext) throws(TuneError) -> [TuneVariant] {
        if let bad = grid.counts.first(where: { $0 < 0 }) {
            throw TuneError("fixed family: a replica count cannot be negative, got \(bad)")
        }
        return grid.counts.map { n in
            TuneVariant(family: name, name: "fixed-\(n)", parameters: [TuneParameter("replicas", Double(n), unit: "replicas")],
                        policy: .fixed(n))
        }
    }
}
