/// What a series is, sent with 2.0 requests (1.0 requests carry no metadata).
public struct MetricMetadata: Hashable, Sendable {
    /// The metric type; numbers are the 2.0 wire values.
    public enum MetricType: UInt8, Sendable {
        case unspecified = 0, counter = 1, gauge = 2, histogram = 3, gaugeHistogram = 4, summary = 5, info = 6, stateSet = 7
    }

    /// The metric type.
    public var type: MetricType
    /// The HELP text; empty when unknown.
    public var help: String
    /// The unit (OpenMetrics), e.g. `seconds`; empty when unknown.
    public var unit: String

    /// Creates metadata; help and unit default to empty.
    public init(type: MetricType, help: String = "", unit: String = "") {
        self.type = type
        self.help = help
        self.unit = unit
    }
}
