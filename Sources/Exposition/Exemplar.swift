/// An OpenMetrics exemplar attached to a counter `_total` or histogram `_bucket` sample.
public struct Exemplar: Sendable, Hashable {
    /// The exemplar's own labels, e.g. a trace id.
    public var labels: Labels
    /// The observed value, in the unit of the family.
    public var value: Double
    /// When the observation was made, in seconds since the Unix epoch; `nil` when not given.
    public var timestamp: Double?

    /// Creates an exemplar.
    public init(labels: Labels, value: Double, timestamp: Double? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }
}
