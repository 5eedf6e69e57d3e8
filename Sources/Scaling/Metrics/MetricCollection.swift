/// The four windows Knative keeps per revision — concurrency and requests per second, each
/// over the stable and the panic window (`pkg/autoscaler/metrics/collector.go`).
public struct MetricCollection: Sendable {
    /// Stable window length in seconds.
    public let stableWindowSeconds: Int
    /// Panic window length in seconds.
    public let panicWindowSeconds: Int
    /// How each window is averaged.
    public let algorithm: AggregationAlgorithm
    /// Whether pods are scraped. Knative scrapes nothing when the target burst capacity is
    /// −1 (the activator sees all traffic); then an empty window reads as 0 instead of
    /// "no data".
    public let scrapesPods: Bool

    private var concurrencyStable: TimeBucketWindow
    private var concurrencyPanic: TimeBucketWindow
    private var rpsStable: TimeBucketWindow
    private var rpsPanic: TimeBucketWindow

    /// Empty windows of the given lengths (seconds, at least 1).
    public init(
        stableWindowSeconds: Int,
        panicWindowSeconds: Int,
        algorithm: AggregationAlgorithm = .linear,
        scrapesPods: Bool = true
    ) {
        self.stableWindowSeconds = stableWindowSeconds
        self.panicWindowSeconds = panicWindowSeconds
        self.algorithm = algorithm
        self.scrapesPods = scrapesPods
        concurrencyStable = TimeBucketWindow(seconds: stableWindowSeconds)
        concurrencyPanic = TimeBucketWindow(seconds: panicWindowSeconds)
        rpsStable = TimeBucketWindow(seconds: stableWindowSeconds)
        rpsPanic = TimeBucketWindow(seconds: panicWindowSeconds)
    }

    /// Records a stat at `time`. Proxied load is subtracted because the activator reports
    /// it separately; counting it twice would over-scale.
    public mutating func record(_ stat: Stat, at time: Timestamp) {
        let concurrency = stat.averageConcurrentRequests - stat.averageProxiedConcurrentRequests
        concurrencyStable.record(concurrency, at: time)
        concurrencyPanic.record(concurrency, at: time)
        let rps = stat.requestCount - stat.proxiedRequestCount
        rpsStable.record(rps, at: time)
        rpsPanic.record(rps, at: time)
    }

    /// The stable and panic values of `metric` at `time`, or nil when the stable window has
    /// seen no data for a whole window (Knative's `ErrNoData`: the decision is invalid and
    /// the previous one stands — no data never reads as zero load).
    public func observation(of metric: ScalingMetric, at time: Timestamp) -> Observation? {
        let (stable, panic) = metric == .rps ? (rpsStable, rpsPanic) : (concurrencyStable, concurrencyPanic)
        if stable.isEmpty(at: time) && scrapesPods { return nil }
        return Observation(
            stable: stable.average(at: time, algorithm: algorithm),
            panic: panic.average(at: time, algorithm: algorithm)
        )
    }
}
