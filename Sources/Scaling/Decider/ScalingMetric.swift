/// The load signal a KPA decider scales on (annotation `autoscaling.knative.dev/metric`).
public enum ScalingMetric: String, Sendable, CaseIterable {
    /// Requests in flight (the default).
    case concurrency
    /// Requests per second.
    case rps
}
