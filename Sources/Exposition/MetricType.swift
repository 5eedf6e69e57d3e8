/// The declared type of a metric family (`# TYPE`).
///
/// Prometheus text's `untyped` and a family without a `# TYPE` line both map to ``unknown``.
/// `gaugeHistogram`, `stateSet` and `info` only occur in OpenMetrics.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    /// A monotonic count; take its rate. OpenMetrics samples: `_total`, `_created`.
    case counter
    /// A value that goes up and down.
    case gauge
    /// Cumulative buckets of observations: `_bucket{le}`, `_sum`, `_count` (and `_created` in OpenMetrics).
    case histogram
    /// OpenMetrics: a histogram of current values: `_bucket{le}`, `_gsum`, `_gcount`.
    case gaugeHistogram = "gaugehistogram"
    /// Quantiles of observations: `{quantile}`, `_sum`, `_count`.
    case summary
    /// OpenMetrics: constant labels describing the target, value 1, sample `_info`.
    case info
    /// OpenMetrics: one 0/1 sample per state, labelled with the family name.
    case stateSet = "stateset"
    /// No type given, or Prometheus `untyped`.
    case unknown
}
