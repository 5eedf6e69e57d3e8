/// Everything one scrape body contained: its metric families, in exposition order.
public struct ParsedExposition: Sendable {
    /// The families in the order they first appeared. Prometheus text that splits one family's samples
    /// into several runs is merged into one family here.
    public var families: [MetricFamily]
    private var index: [String: Int]

    /// Creates a result from families (later duplicates of a name are ignored for lookup).
    public init(families: [MetricFamily]) {
        self.families = families
        index = [:]
        for (position, family) in families.enumerated() where index[family.name] == nil {
            index[family.name] = position
        }
    }

    /// Families whose names are unique, with their index already built (the parser's collector has one).
    init(families: [MetricFamily], uniqueIndex: [String: Int]) {
        self.families = families
        index = uniqueIndex
    }

    /// The family with exactly this name, or `nil`.
    public subscript(family name: String) -> MetricFamily? {
        index[name].map { families[$0] }
    }

    /// The number of samples over all families.
    public var sampleCount: Int { families.reduce(0) { $0 + $1.samples.count } }
}
