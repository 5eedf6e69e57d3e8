/// What one pod's runtime says about its load, in canonical units.
///
/// A signal the runtime does not expose is `nil`, never zero: a missing queue must not read as an
/// empty one. Counters are returned as their cumulative values; the caller turns two scrapes into a
/// rate (requests/s, tokens/s) and handles resets.
public struct RuntimeSignals: Sendable, Hashable {
    /// The runtime the figures came from.
    public var runtime: Runtime
    /// Requests the pod holds right now, running plus waiting (requests, per pod).
    public var concurrency: Double?
    /// Requests queued and not yet being processed (requests, per pod).
    public var queueDepth: Double?
    /// Requests being processed right now (requests, per pod).
    public var runningRequests: Double?
    /// Requests counted since the process started (a counter; take its rate for requests/s).
    public var requestsTotal: Double?
    /// Prompt (prefill) tokens since the process started (a counter; its rate is prompt tokens/s).
    public var promptTokensTotal: Double?
    /// Generated (decode) tokens since the process started (a counter; its rate is generation tokens/s).
    public var generationTokensTotal: Double?
    /// Fraction of the KV cache in use, 0 to 1 (the fullest engine when a pod has several).
    public var kvCacheUtilization: Double?
    /// Time to first token, in seconds.
    public var timeToFirstToken: LatencyHistogram?
    /// Share of the pod's GPU memory in use, 0 to 1 (used over total, summed over its GPUs).
    /// Read only where the scraped endpoint reports GPU memory: Triton's own `nv_gpu_memory_*`, or
    /// an `inferscale agent` sidecar scraped as the pod's endpoint.
    public var gpuMemoryUtilization: Double?
    /// KV-cache tokens the pod can hold, `num_gpu_blocks` × `block_size` from vLLM's
    /// `cache_config_info` info metric (summed over its engines): a capacity, not a load.
    public var kvCacheCapacityTokens: Double?

    /// Signals with nothing known yet.
    public init(runtime: Runtime) {
        self.runtime = runtime
    }

    /// The names of the signals this runtime did not provide, for a one-time notice.
    public var absentSignals: [String] {
        var absent: [String] = []
        if concurrency == nil { absent.append("concurrency") }
        if queueDepth == nil { absent.append("queueDepth") }
        if runningRequests == nil { absent.append("runningRequests") }
        if requestsTotal == nil { absent.append("requestsTotal") }
        if promptTokensTotal == nil { absent.append("promptTokensTotal") }
        if generationTokensTotal == nil { absent.append("generationTokensTotal") }
        if kvCacheUtilization == nil { absent.append("kvCacheUtilization") }
        if timeToFirstToken == nil { absent.append("timeToFirstToken") }
        return absent
    }
}
