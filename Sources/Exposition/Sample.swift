/// One sample line of an exposition: a series name, its labels and a value.
public struct Sample: Sendable, Hashable {
    /// The full sample name including any suffix, e.g. `vllm:e2e_request_latency_seconds_bucket`.
    public var name: String
    /// The sample's labels, including `le` and `quantile` where present.
    public var labels: Labels
    /// The value, in the unit of the family; may be NaN or ±infinity.
    public var value: Double
    /// The exposition's timestamp in seconds since the Unix epoch, or `nil` when the line had none.
    /// Prometheus text gives milliseconds; they are converted to seconds here.
    public var timestamp: Double?
    /// The OpenMetrics exemplar on this line, if any.
    public var exemplar: Exemplar? {
        get { exemplarBox?.exemplar }
        set { exemplarBox = newValue.map(ExemplarBox.init) }
    }

    // Exemplars are rare; boxing one keeps every other sample a few words smaller.
    private var exemplarBox: ExemplarBox?

    /// Creates a sample.
    public init(name: String, labels: Labels = Labels(), value: Double, timestamp: Double? = nil, exemplar: Exemplar? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
        self.exemplarBox = exemplar.map(ExemplarBox.init)
    }
}

private final class ExemplarBox: Sendable, Hashable {
    let exemplar: Exemplar
    init(_ exemplar: Exemplar) { self.exemplar = exemplar }
    static func == (lhs: ExemplarBox, rhs: ExemplarBox) -> Bool { lhs.exemplar == rhs.exemplar }
    func hash(into hasher: inout Hasher) { hasher.combine(exemplar) }
}
