/// A multi-metric scaling policy: KPA's rules generalised to several signals, plus the
/// guards that matter for model servers. With one concurrency metric and Knative's defaults
/// it decides exactly as the KPA decider.
public struct PolicySpec: Sendable, Equatable {
    /// One signal the policy scales on.
    public struct Metric: Sendable, Equatable {
        /// Which signal.
        public var signal: Signal
        /// Per-pod target: for additive signals the value one pod should carry (same unit as
        /// the signal); for utilisations the mean to aim for (0–1).
        public var target: Double
        /// Stable window, whole seconds.
        public var stableWindowSeconds: Int
        /// Panic window, whole seconds (≤ stable window).
        public var panicWindowSeconds: Int
        /// How the windows average.
        public var aggregation: AggregationAlgorithm
        /// The metric only takes part in the panic test and the panic count (token-aware
        /// panic: a burst of long prompts scales up before concurrency shows it).
        public var panicOnly: Bool

        public init(signal: Signal, target: Double, stableWindowSeconds: Int = 60, panicWindowSeconds: Int = 6,
                    aggregation: AggregationAlgorithm = .linear, panicOnly: Bool = false) {
            self.signal = signal
            self.target = target
            self.stableWindowSeconds = stableWindowSeconds
            self.panicWindowSeconds = panicWindowSeconds
            self.aggregation = aggregation
            self.panicOnly = panicOnly
        }
    }

    /// Guards that can hold a scale-down. All off by default (Knative has none).
    public struct Guards: Sendable, Equatable {
        /// Seconds a new pod needs before it serves (the model's cold start). With
        /// `holdWhilePodsStart`, no scale-down while any pod is younger or not ready.
        public var coldStartSeconds: Double = 0
        /// No scale-down while pods are not ready or inside their cold-start time.
        public var holdWhilePodsStart = false
        /// No scale-down that would push the mean KV-cache use of the remaining pods above
        /// this fraction (0–1).
        public var kvCacheCeiling: Double?
        /// No scale-down that would push the mean GPU memory use above this fraction (0–1).
        public var gpuMemoryCeiling: Double?

        public init(coldStartSeconds: Double = 0, holdWhilePodsStart: Bool = false, kvCacheCeiling: Double? = nil, gpuMemoryCeiling: Double? = nil) {
            self.coldStartSeconds = coldStartSeconds
            self.holdWhilePodsStart = holdWhilePodsStart
            self.kvCacheCeiling = kvCacheCeiling
            self.gpuMemoryCeiling = gpuMemoryCeiling
        }
    }

    /// The signals to scale on; the largest recommendation wins.
    public var metrics: [Metric] = [Metric(signal: .concurrency, target: 70)]
    /// Panic, rate limits, delay, burst capacity and activation scale as in KPA. The spec's
    /// `metric`/`targetValue` are not used (metrics carry their own); `totalValue` and
    /// `targetBurstCapacity` give the excess burst capacity from concurrency.
    public var decider = DeciderSpec()
    /// Least replicas (0 = may scale to zero).
    public var minReplicas: Int32 = 0
    /// Most replicas (0 = unbounded).
    public var maxReplicas: Int32 = 0
    /// Guards on scale-down.
    public var guards = Guards()
    /// Knative's reading of the windows: a second without a sample, between two samples,
    /// counts as zero load. Off by default: inferscale's rounds can be skipped or late (a
    /// target still in flight, a slow pod), and a second it did not sample is no data, so a
    /// skipped round can never cause a scale-down. With a sample every second both readings
    /// decide alike.
    public var unsampledSecondsReadAsZero = false
    /// A latency objective to size for instead of `metrics` (nil: scale on `metrics`). With
    /// one, the count comes from `ObjectiveSizer`; the decider's rate limits and panic hold,
    /// the guards and the bounds still apply.
    public var objective: ObjectiveSpec?

    public init() {}

    /// The policy equivalent to a resolved KPA policy: one metric, same windows and limits.
    public init(kpa: KPAPolicy) {
        let signal: Signal = kpa.decider.metric == .rps ? .rps : .concurrency
        metrics = [Metric(signal: signal, target: kpa.decider.targetValue, stableWindowSeconds: kpa.decider.stableWindowSeconds,
                          panicWindowSeconds: kpa.panicWindowSeconds, aggregation: kpa.aggregationAlgorithm)]
        decider = kpa.decider
        minReplicas = kpa.scaling.effectiveMinScale
        maxReplicas = kpa.scaling.maxScale
    }
}
