/// A canonical load or resource signal of a target, whatever runtime produced it.
public enum Signal: String, Sendable, CaseIterable, Codable {
    /// Requests in flight (revision total).
    case concurrency
    /// Requests per second (revision total).
    case rps
    /// Requests waiting in the runtimes' queues (revision total).
    case queueDepth = "queue-depth"
    /// Requests being processed (revision total).
    case running
    /// Prompt tokens arriving per second (revision total).
    case promptTokensPerSecond = "prompt-tokens-per-second"
    /// Generated tokens per second (revision total).
    case generationTokensPerSecond = "generation-tokens-per-second"
    /// KV-cache use, mean over ready pods, 0–1.
    case kvCacheUtilization = "kv-cache-utilization"
    /// GPU memory used, mean over ready pods, 0–1.
    case gpuMemoryUtilization = "gpu-memory-utilization"

    /// Whether values are revision totals that add up across pods and reports; otherwise
    /// they are per-pod means (utilisations).
    public var isAdditive: Bool {
        switch self {
        case .kvCacheUtilization, .gpuMemoryUtilization: false
        default: true
        }
    }

    /// The unit, for documentation and explanations.
    public var unit: String {
        switch self {
        case .concurrency: "requests in flight"
        case .rps: "requests/s"
        case .queueDepth: "queued requests"
        case .running: "running requests"
        case .promptTokensPerSecond, .generationTokensPerSecond: "tokens/s"
        case .kvCacheUtilization, .gpuMemoryUtilization: "fraction 0–1"
        }
    }
}

/// The signals of one target at one moment; a nil value is a signal not measured (never 0).
public struct SignalSample: Sendable, Equatable {
    private var values: [Double?]
    /// KV-cache tokens one pod holds at most (vLLM's `cache_config_info`: `num_gpu_blocks` ×
    /// `block_size`), mean over the pods that report it. A capacity, not a load: no policy
    /// scales on it; the objective policy sizes the KV cache with it.
    public var kvCacheCapacityTokens: Double?

    /// A sample with no signal measured.
    public init() { values = Array(repeating: nil, count: Signal.allCases.count) }

    /// A sample with the given values.
    public init(_ values: [Signal: Double]) {
        self.init()
        for (signal, value) in values { self[signal] = value }
    }

    /// The value of `signal`, or nil when it was not measured.
    public subscript(signal: Signal) -> Double? {
        get { values[signal.index] }
        set { values[signal.index] = newValue }
    }
}

extension Signal {
    /// Position in `allCases`, for compact storage.
    var index: Int {
        switch self {
        case .concurrency: 0
        case .rps: 1
        case .queueDepth: 2
        case .running: 3
        case .promptTokensPerSecond: 4
        case .generationTokensPerSecond: 5
        case .kvCacheUtilization: 6
        case .gpuMemoryUtilization: 7
        }
    }
}
