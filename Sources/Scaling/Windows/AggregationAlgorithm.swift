/// How a window turns its buckets into one value
/// (annotation `autoscaling.knative.dev/metric-aggregation-algorithm`).
public enum AggregationAlgorithm: String, Sendable, CaseIterable {
    /// The mean of the valid buckets (Knative's default).
    case linear
    /// The weighted-exponential average that favours recent seconds.
    case weightedExponential = "weighted-exponential"
}
