/// The declared type of a metric family (`# TYPE`).
///
/// Prometheus text's `untyped` and a family without a `# TYPE` line both map to ``unknown``.
/// `gaugeHistogram`, `stateSet` and `info` only occur in OpenMetrics.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter
    case gauge
    case histogram
    case gaugeHistogram = "gaugehistogram"
    case summary
    case info
    case stateSet = "stateset"
    case unknown
}
