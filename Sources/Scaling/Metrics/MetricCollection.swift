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

    // The four windows share one allocation: a tick then touches one block per target.
    private var concurrencyStable: BucketRing
    private var concurrencyPanic: BucketRing
    private var rpsStable: BucketRing
    private var rpsPanic: BucketRing
    private var storage: [Double]

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
        concurrencyStable = BucketRing(length: stableWindowSeconds, offset: 0)
        concurrencyPanic = BucketRing(length: panicWindowSeconds, offset: concurrencyStable.length)
        rpsStable = BucketRing(length: stableWindowSeconds, offset: concurrencyPanic.offset + concurrencyPanic.length)
        rpsPanic = BucketRing(length: panicWindowSeconds, offset: rpsStable.offset + rpsStable.length)
        storage = Array(repeating: 0, count: rpsPanic.offset + rpsPanic.length)
    }

    /// Records a stat at `time`. Proxied load is subtracted because the activator reports
    /// it separately; counting it twice would over-scale.
    public mutating func record(_ stat: Stat, at time: Timestamp) {
        let concurrency = stat.averageConcurrentRequests - stat.averageProxiedConcurrentRequests
        let rps = stat.requestCount - stat.proxiedRequestCount
        let second = time.unixSeconds
        storage.withUnsafeMutableBufferPointer { b in
            concurrencyStable.record(concurrency, second: second, in: b)
            concurrencyPanic.record(concurrency, second: second, in: b)
            rpsStable.record(rps, second: second, in: b)
            rpsPanic.record(rps, second: second, in: b)
        }
    }

    /// The stable and panic values of `metric` at `time`, or nil when the stable window has
    /// seen no data for a whole window (Knative's `ErrNoData`: the decision is invalid and
    /// the previous one stands — no data never reads as zero load).
    public func observation(of metric: ScalingMetric, at time: Timestamp) -> Observation? {
        let second = time.unixSeconds
        let rps = metric == .rps
        if (rps ? rpsStable : concurrencyStable).isEmpty(second: second) && scrapesPods { return nil }
        return storage.withUnsafeBufferPointer { b in
            Observation(
                stable: (rps ? rpsStable : concurrencyStable).average(second: second, algorithm: algorithm, in: b),
                panic: (rps ? rpsPanic : concurrencyPanic).average(second: second, algorithm: algorithm, in: b)
            )
        }
    }
}
