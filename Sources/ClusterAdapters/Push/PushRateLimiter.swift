/// A token bucket per push source (the caller's IP address): each push request or websocket
/// frame takes one token; a source gets `burst` at once and `perSecond` after that. A flood
/// from one source is refused without slowing the others. Pure: the caller passes the time.
///
/// At most `maxSources` sources are tracked; when a new one arrives and the table is full,
/// sources whose bucket has refilled are forgotten (they are indistinguishable from new ones),
/// and if none has, the new source shares a single overflow bucket, so memory stays bounded
/// whatever the number of addresses a client can use.
public struct PushRateLimiter: Sendable {
    /// Limits of the limiter.
    public struct Configuration: Sendable, Equatable {
        /// Pushes per second one source may make on average. Knative's activator reports once a
        /// second; 10 leaves room for gateways that push per revision.
        public var perSecond: Double = 10
        /// Pushes one source may make at once, before the rate applies.
        public var burst: Double = 20
        /// Sources tracked at once (bounded memory).
        public var maxSources: Int = 4096

        /// The defaults above.
        public init() {}
    }

    private struct Bucket {
        var tokens: Double
        /// Seconds, on the caller's clock.
        var updated: Double
    }

    /// The limits.
    public let configuration: Configuration
    private var buckets: [String: Bucket] = [:]
    private var overflow: Bucket

    /// A limiter with `configuration`.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        overflow = Bucket(tokens: configuration.burst, updated: -.infinity)
    }

    /// Sources currently tracked.
    public var trackedSources: Int { buckets.count }

    /// Takes one token for `source` at `now` (seconds, any monotonic origin); false when the
    /// source is over its rate.
    public mutating func admit(_ source: String, now: Double) -> Bool {
        if var bucket = buckets[source] {
            let admitted = take(&bucket, now: now)
            buckets[source] = bucket
            return admitted
        }
        if buckets.count >= configuration.maxSources { forgetRefilled(now: now) }
        guard buckets.count < configuration.maxSources else { return take(&overflow, now: now) }
        var bucket = Bucket(tokens: configuration.burst, updated: now)
        let admitted = take(&bucket, now: now)
        buckets[source] = bucket
        return admitted
    }

    private func take(_ bucket: inout Bucket, now: Double) -> Bool {
        let elapsed = max(0, now - bucket.updated)
        bucket.tokens = min(configuration.burst, bucket.tokens + elapsed * configuration.perSecond)
        bucket.updated = max(bucket.updated, now)
        guard bucket.tokens >= 1 else { return false }
        bucket.tokens -= 1
        return true
    }

    private mutating func forgetRefilled(now: Double) {
        let perSecond = configuration.perSecond, burst = configuration.burst
        buckets = buckets.filter { $0.value.tokens + max(0, now - $0.value.updated) * perSecond < burst }
    }
}
