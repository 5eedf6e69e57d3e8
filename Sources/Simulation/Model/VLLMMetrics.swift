/// What one simulated replica's /metrics would show, with vLLM V1's meanings: the request
/// gauges, KV-cache use, the token, preemption and prefix-cache counters, and `cache_config_info`, from
/// which a policy learns the replica's KV capacity as it would from a real pod.
public struct VLLMMetrics: Sendable, Equatable {
    /// `vllm:num_requests_running`: admitted requests, those mid-prefill included.
    public var numRequestsRunning: Int
    /// `vllm:num_requests_waiting`: requests not admitted yet, preempted ones included.
    public var numRequestsWaiting: Int
    /// `vllm:kv_cache_usage_perc`: KV blocks in use over all blocks, 0–1.
    public var kvCacheUsagePerc: Double
    /// `vllm:prompt_tokens_total`: prompt tokens of requests whose prefill finished.
    public var promptTokensTotal: Int
    /// `vllm:generation_tokens_total`: output tokens produced.
    public var generationTokensTotal: Int
    /// `vllm:num_preemptions_total`: running requests sent back for lack of KV blocks.
    public var numPreemptionsTotal: Int
    /// `vllm:prefix_cache_queries_total`: tokens of requests looked up in the prefix cache when
    /// admitted (the prompt, and for a preempted request the output it had too).
    public var prefixCacheQueriesTotal: Int
    /// `vllm:prefix_cache_hits_total`: of those, tokens found cached (not computed).
    public var prefixCacheHitsTotal: Int
    /// `vllm:cache_config_info{num_gpu_blocks}`: KV blocks on the replica.
    public var numGpuBlocks: Int
    /// `vllm:cache_config_info{block_size}`: tokens per block.
    public var blockSize: Int

    public init(numRequestsRunning: Int, numRequestsWaiting: Int, kvCacheUsagePerc: Double, promptTokensTotal: Int,
                generationTokensTotal: Int, numPreemptionsTotal: Int, prefixCacheQueriesTotal: Int = 0,
                prefixCacheHitsTotal: Int = 0, numGpuBlocks: Int, blockSize: Int) {
        self.numRequestsRunning = numRequestsRunning
        self.numRequestsWaiting = numRequestsWaiting
        self.kvCacheUsagePerc = kvCacheUsagePerc
        self.promptTokensTotal = promptTokensTotal
        self.generationTokensTotal = generationTokensTotal
        self.numPreemptionsTotal = numPreemptionsTotal
        self.prefixCacheQueriesTotal = prefixCacheQueriesTotal
        self.prefixCacheHitsTotal = prefixCacheHitsTotal
        self.numGpuBlocks = numGpuBlocks
        self.blockSize = blockSize
    }

    /// The metrics as Prometheus text (format 0.0.4) with vLLM's names and its `model_name`
    /// label, as a scrape of the pod would return them.
    public func exposition(modelName: String) -> String {
        let label = "model_name=\"\(modelName)\""
        return """
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{\(label)} \(numRequestsRunning)
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{\(label)} \(numRequestsWaiting)
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{\(label)} \(kvCacheUsagePerc)
            # TYPE vllm:prompt_tokens_total counter
            vllm:prompt_tokens_total{\(label)} \(promptTokensTotal)
            # TYPE vllm:generation_tokens_total counter
            vllm:generation_tokens_total{\(label)} \(generationTokensTotal)
            # TYPE vllm:num_preemptions_total counter
            vllm:num_preemptions_total{\(label)} \(numPreemptionsTotal)
            # TYPE vllm:prefix_cache_queries_total counter
            vllm:prefix_cache_queries_total{\(label)} \(prefixCacheQueriesTotal)
            # TYPE vllm:prefix_cache_hits_total counter
            vllm:prefix_cache_hits_total{\(label)} \(prefixCacheHitsTotal)
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="\(blockSize)",num_gpu_blocks="\(numGpuBlocks)"} 1

            """
    }
}
