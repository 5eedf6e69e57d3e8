import RuntimeSignals

/// What to scrape for one target.
public struct ScrapeTarget: Sendable, Equatable {
    /// `namespace/name`, for rate state and logs.
    public var key: String
    /// The target's ready pods.
    public var pods: [Pod]
    /// The runtime serving metrics on `port`/`path`, or nil to read queue-proxy stats only.
    public var runtime: Runtime?
    public var port: Int
    public var path: String
    /// Whether Knative's queue-proxy stats are read (concurrency and requests/s).
    public var queueProxy: Bool

    /// One ready pod.
    public struct Pod: Sendable, Equatable, Hashable {
        public var name: String
        public var ip: String
        public init(name: String, ip: String) {
            self.name = name
            self.ip = ip
        }
    }

    public init(key: String, pods: [Pod], runtime: Runtime?, port: Int, path: String = "/metrics", queueProxy: Bool = true) {
        self.key = key
        self.pods = pods
        self.runtime = runtime
        self.port = port
        self.path = path
        self.queueProxy = queueProxy
    }
}

/// The signals of one pod after one scrape (per pod; rates from counters).
public struct PodReading: Sendable, Equatable {
    public var concurrency: Double?
    public var rps: Double?
    public var queueDepth: Double?
    public var running: Double?
    public var promptTokensPerSecond: Double?
    public var generationTokensPerSecond: Double?
    public var kvCacheUtilization: Double?
    public var gpuMemoryUtilization: Double?
    /// KV-cache tokens the pod holds at most (vLLM's `cache_config_info`).
    public var kvCacheCapacityTokens: Double?

    public init() {}
}
