/// Everything one KPA decider needs to know about its revision, resolved from the
/// config-autoscaler values and the revision's annotations (Knative's `DeciderSpec`,
/// built in `pkg/reconciler/autoscaling/kpa/resources/decider.go`).
public struct DeciderSpec: Sendable, Equatable {
    /// The metric to scale on.
    public var metric: ScalingMetric = .concurrency
    /// Per-pod target of the metric (requests in flight, or requests/s) after utilisation.
    public var targetValue: Double = 70
    /// Per-pod capacity before utilisation (containerConcurrency, or the target default);
    /// used for the excess burst capacity.
    public var totalValue: Double = 100
    /// Multiplier on ready pods for the largest scale-up in one decision (> 1).
    public var maxScaleUpRate: Double = 1000
    /// Divisor of ready pods for the largest scale-down in one decision (> 1).
    public var maxScaleDownRate: Double = 2
    /// Requests in flight that should be absorbable without queueing; 0 disables the
    /// activator hand-off, −1 keeps the activator always in the path.
    public var targetBurstCapacity: Double = 211
    /// Panic when the panic-window pod count reaches this multiple of the ready pods.
    public var panicThreshold: Double = 2
    /// Stable window in seconds; also the least time panic mode lasts.
    public var stableWindowSeconds: Int = 60
    /// Seconds a scale-down waits for the higher recommendations to leave the window (0 = off).
    public var scaleDownDelaySeconds: Int = 0
    /// Replicas a new revision starts with.
    public var initialScale: Int32 = 1
    /// Whether the revision receives traffic; an unreachable one may drop straight to zero.
    public var reachable: Bool = true
    /// Least pod count whenever any load is seen (values ≤ 1 disable it).
    public var activationScale: Int32 = 1

    public init() {}
}
