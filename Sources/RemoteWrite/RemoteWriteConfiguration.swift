/// Everything a `RemoteWriter` needs: where to send, how to authenticate, and how to queue.
///
/// Every option has a default except `url`; the queue defaults follow Prometheus's
/// remote-write defaults. Validate with `validate()` (the writer does it on creation).
public struct RemoteWriteConfiguration: Sendable {
    /// How requests authenticate.
    public enum Authorization: Sendable, Equatable {
        /// `Authorization: Bearer <token>`.
        case bearerToken(String)
        /// `Authorization: Basic base64(username:password)`.
        case basic(username: String, password: String)
    }

    /// TLS settings for `https` URLs.
    public struct TLS: Sendable, Equatable {
        /// PEM file of the certificate authorities to trust instead of the system roots; `nil` (default) uses the system roots.
        public var caFile: String? = nil
        /// Creates TLS settings with the system trust roots.
        public init(caFile: String? = nil) { self.caFile = caFile }
    }

    /// Queueing, batching and retry settings (per shard unless said otherwise).
    public struct Queue: Sendable, Equatable {
        /// Number of shards, each a sequential sender; a series always goes to the same shard. Default 1.
        public var shards: Int = 1
        /// Samples a shard may hold (waiting plus in flight); further samples are dropped and counted. Default 10,000.
        public var capacity: Int = 10_000
        /// Most samples in one request. Default 2,000.
        public var maxSamplesPerSend: Int = 2_000
        /// Longest a sample waits for a batch to fill before it is sent anyway. Default 5 s.
        public var batchSendDeadline: Duration = .seconds(5)
        /// First retry delay after a failure; doubles per attempt. Default 30 ms.
        public var minBackoff: Duration = .milliseconds(30)
        /// Largest retry delay. Default 5 s.
        public var maxBackoff: Duration = .seconds(5)
        /// Fraction (0...1) of each retry delay that is randomised away, so shards do not retry in step. Default 0.2.
        public var backoffJitter: Double = 0.2
        /// Retry requests answered 429 (after Retry-After when given, else the backoff). When false they are counted as failed. Default true.
        public var retryOnRateLimit: Bool = true
        /// Cap on a receiver's Retry-After. Default 5 minutes.
        public var maxRetryAfter: Duration = .seconds(300)
        /// On graceful shutdown, how long the writer keeps sending what is queued; what is left then is counted as dropped (or failed if it was in flight). Default 5 s.
        public var flushTimeout: Duration = .seconds(5)

        /// Creates the default queue settings.
        public init() {}
    }

    /// Receiver endpoint, e.g. `http://127.0.0.1:9090/api/v1/write`.
    public var url: String
    /// Protocol to speak first. `.v2` falls back to `.v1` for good when the receiver answers 415,
    /// or 2xx without written-count headers. Default `.v1` (every receiver accepts it; some 1.x
    /// receivers answer a 2.0 request with 400, which must not be retried).
    public var protocolVersion: RemoteWriteVersion = .v1
    /// `User-Agent` sent with every request. Default `inferscale/0.1 remote-write`.
    public var userAgent: String = "inferscale/0.1 remote-write"
    /// Labels added to every series that has no label of the same name. Default none.
    public var externalLabels: Labels = [:]
    /// Authentication. Default none.
    public var authorization: Authorization? = nil
    /// TLS settings. Default: system trust roots.
    public var tls: TLS = .init()
    /// Extra request headers. Reserved headers (see `reservedHeaders`) are rejected by `validate()`. Default none.
    public var headers: [String: String] = [:]
    /// Time limit of one HTTP request, connection included. Default 30 s.
    public var remoteTimeout: Duration = .seconds(30)
    /// Queue, batching and retry settings.
    public var queue: Queue = .init()

    /// Creates a configuration for `url` with every other option at its default.
    public init(url: String) { self.url = url }

    /// Header names (lower case) that custom headers cannot set, because the protocol or the
    /// writer owns them.
    public static let reservedHeaders: Set<String> = [
        "authorization", "connection", "content-encoding", "content-length", "content-type", "host",
        "retry-after", "transfer-encoding", "user-agent", "x-prometheus-remote-write-version",
    ]

    /// Checks the configuration and says what to change when it is unusable.
    public func validate() throws(RemoteWriteConfigurationError) {
        let lower = url.lowercased()
        let rest = lower.drop { $0 != ":" }.dropFirst(3)
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), let first = rest.first, first != "/", first != ":" else {
            throw RemoteWriteConfigurationError(option: "url", message: "'\(url)' is not an http:// or https:// URL")
        }
        for name in headers.keys.sorted() {
            if Self.reservedHeaders.contains(name.lowercased()) {
                throw RemoteWriteConfigurationError(
                    option: "headers",
                    message: "header '\(name)' is reserved and cannot be overridden (use `authorization` for credentials); reserved: \(Self.reservedHeaders.sorted().joined(separator: ", "))"
                )
            }
            if name.isEmpty || name.utf8.contains(where: { $0 <= 32 || $0 >= 127 || $0 == UInt8(ascii: ":") }) {
                throw RemoteWriteConfigurationError(option: "headers", message: "'\(name)' is not a valid header name")
            }
        }
        guard queue.shards >= 1, queue.shards <= 1_000 else {
            throw RemoteWriteConfigurationError(option: "queue.shards", message: "must be between 1 and 1000, got \(queue.shards)")
        }
        guard queue.maxSamplesPerSend >= 1 else {
            throw RemoteWriteConfigurationError(option: "queue.maxSamplesPerSend", message: "must be at least 1, got \(queue.maxSamplesPerSend)")
        }
        guard queue.capacity >= queue.maxSamplesPerSend else {
            throw RemoteWriteConfigurationError(
                option: "queue.capacity",
                message: "must be at least queue.maxSamplesPerSend (\(queue.maxSamplesPerSend)), got \(queue.capacity)"
            )
        }
        guard queue.minBackoff > .zero, queue.maxBackoff >= queue.minBackoff else {
            throw RemoteWriteConfigurationError(option: "queue.minBackoff", message: "need 0 < minBackoff <= maxBackoff, got \(queue.minBackoff) and \(queue.maxBackoff)")
        }
        guard (0...1).contains(queue.backoffJitter) else {
            throw RemoteWriteConfigurationError(option: "queue.backoffJitter", message: "must be within 0...1, got \(queue.backoffJitter)")
        }
        guard queue.batchSendDeadline > .zero, remoteTimeout > .zero, queue.flushTimeout >= .zero else {
            throw RemoteWriteConfigurationError(option: "queue", message: "batchSendDeadline and remoteTimeout must be positive, flushTimeout not negative")
        }
        if lower.hasPrefix("http://"), tls.caFile != nil {
            throw RemoteWriteConfigurationError(option: "tls.caFile", message: "a CA file is set but the URL '\(url)' is plain http; use https:// or remove tls.caFile")
        }
    }
}

/// A remote-write configuration option is unusable.
public struct RemoteWriteConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The option at fault, e.g. `headers` or `queue.capacity`.
    public var option: String
    /// What is wrong and how to fix it.
    public var message: String

    public var description: String { "remote-write configuration: \(option): \(message)" }
}
