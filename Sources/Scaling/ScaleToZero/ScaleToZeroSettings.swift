/// Replica bounds and scale-to-zero settings that Knative applies outside the decider
/// (`pkg/reconciler/autoscaling/kpa/scaler.go`, `pa.ScaleBounds`). Durations in seconds.
public struct ScaleToZeroSettings: Sendable, Equatable {
    /// `enable-scale-to-zero`: when false a decision of 0 becomes 1.
    public var enableScaleToZero = true
    /// Least replicas (0 = may reach zero); ignored while the revision is unreachable.
    public var minScale: Int32 = 0
    /// Most replicas (0 = unbounded).
    public var maxScale: Int32 = 0
    /// Replicas a new revision starts with; a floor until it is first reached.
    public var initialScale: Int32 = 1
    /// Whether any route sends traffic to the revision.
    public var reachable = true
    /// The stable window: a revision must have been active this long before it may go inactive.
    public var stableWindowSeconds = 60.0
    /// `scale-to-zero-grace-period`: the activator must have been in the path this long.
    public var gracePeriodSeconds = 30.0
    /// `scale-to-zero-pod-retention-period`: the last pod stays at least this long after
    /// the revision went inactive.
    public var podRetentionSeconds = 0.0
    /// −1 means the activator is always in the path, so no probe is needed.
    public var targetBurstCapacity = 211.0
    /// A revision stuck activating this long (progress deadline 600 s + 30 s) goes to zero.
    public var activationTimeoutSeconds = 630.0

    public init(
        enableScaleToZero: Bool = true, minScale: Int32 = 0, maxScale: Int32 = 0, initialScale: Int32 = 1,
        reachable: Bool = true, stableWindowSeconds: Double = 60, gracePeriodSeconds: Double = 30,
        podRetentionSeconds: Double = 0, targetBurstCapacity: Double = 211, activationTimeoutSeconds: Double = 630
    ) {
        self.enableScaleToZero = enableScaleToZero
        self.minScale = minScale
        self.maxScale = maxScale
        self.initialScale = initialScale
        self.reachable = reachable
        self.stableWindowSeconds = stableWindowSeconds
        self.gracePeriodSeconds = gracePeriodSeconds
        self.podRetentionSeconds = podRetentionSeconds
        self.targetBurstCapacity = targetBurstCapacity
        self.activationTimeoutSeconds = activationTimeoutSeconds
    }

    /// The lower bound as Knative applies it: 0 for an unreachable revision.
    public var effectiveMinScale: Int32 { reachable ? minScale : 0 }
}
