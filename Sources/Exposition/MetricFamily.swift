/// A metric family: the samples that share one name and one `# TYPE`, with their metadata.
public struct MetricFamily: Sendable, Hashable {
    /// The family name. For OpenMetrics counters this is the name without `_total`; for Prometheus text it
    /// is the name on the `# TYPE` line (which for Python exporters already ends in `_total`).
    public var name: String
    /// The declared type; ``MetricType/unknown`` without a `# TYPE` line.
    public var type: MetricType
    /// The `# HELP` text with escapes resolved, or `nil` when absent.
    public var help: String?
    /// The OpenMetrics `# UNIT`, or `nil` when absent.
    public var unit: String?
    /// The family's samples in exposition order.
    public var samples: [Sample]

    /// Creates a family.
    public init(name: String, type: MetricType, help: String? = nil, unit: String? = nil, samples: [Sample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    /// The samples called `name` (the family name when `nil`) whose labels include every pair in `matching`.
    public func samples(named name: String? = nil, matching: [String: String] = [:]) -> [Sample] {
        let wanted = name ?? self.name
        return samples.filter { sample in
            sample.name == wanted && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }
}
