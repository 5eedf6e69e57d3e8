import Exposition

extension RuntimeSignals {
    /// Reads the canonical signals from one pod's parsed scrape.
    ///
    /// `runtime` defaults to what ``Runtime/init(detecting:)`` recognises; returns `nil` when the scrape
    /// belongs to no known runtime. Which metric feeds which signal is listed in docs/metrics-sources.md.
    public init?(from exposition: ParsedExposition, runtime: Runtime? = nil) {
        guard let runtime = runtime ?? Runtime(detecting: exposition) else { return nil }
        self.init(runtime: runtime)
        let query = SampleQuery(exposition: exposition, listed: Self.sampleNames(runtime))
        switch runtime {
        case .vllm:
            runningRequests = query.sum("vllm:num_requests_running")
            queueDepth = query.sum("vllm:num_requests_waiting")
            requestsTotal = query.sum("vllm:request_success_total")
            promptTokensTotal = query.sum("vllm:prompt_tokens_total")
            generationTokensTotal = query.sum("vllm:generation_tokens_total")
            // Renamed in 0.9; older servers only have the gpu_ name.
            kvCacheUtilization = query.max("vllm:kv_cache_usage_perc") ?? query.max("vllm:gpu_cache_usage_perc")
            timeToFirstToken = query.histogram("vllm:time_to_first_token_seconds")
            kvCacheCapacityTokens = query.infoProduct("vllm:cache_config_info", "num_gpu_blocks", "block_size")
        case .sglang:
            runningRequests = query.sumOfMax("sglang:num_running_reqs", over: "tp_rank")
            queueDepth = query.sumOfMax("sglang:num_queue_reqs", over: "tp_rank")
            requestsTotal = query.sum("sglang:num_requests_total")
            promptTokensTotal = query.sum("sglang:prompt_tokens_total")
            generationTokensTotal = query.sum("sglang:generation_tokens_total")
            kvCacheUtilization = query.max("sglang:token_usage")
            timeToFirstToken = query.histogram("sglang:time_to_first_token_seconds")
        case .tgi:
            runningRequests = query.sum("tgi_batch_current_size")
            queueDepth = query.sum("tgi_queue_size")
            requestsTotal = query.sum("tgi_request_count")
            // The per-request token histograms' sums are running token totals.
            promptTokensTotal = query.sum("tgi_request_input_length_sum")
            generationTokensTotal = query.sum("tgi_request_generated_tokens_sum")
        case .triton:
            queueDepth = query.sum("nv_inference_pending_request_count")
            if let success = query.sum("nv_inference_request_success") {
                requestsTotal = success + (query.sum("nv_inference_request_failure") ?? 0)
            }
            // Triton's first-response histogram is in milliseconds.
            timeToFirstToken = query.histogram("nv_inference_first_response_histogram_ms", scale: 0.001)
        case .kserve:
            requestsTotal = query.sum("request_predict_seconds_count")
        case .queueProxy:
            // The queue-proxy's depth is everything it holds: queued plus proxied, i.e. concurrency.
            concurrency = query.sum("kn_serving_queue_depth") ?? query.sum("revision_queue_depth")
            requestsTotal = query.sum("kn_serving_invocation_duration_seconds_count") ?? query.sum("revision_request_count")
        }
        gpuMemoryUtilization = Self.gpuMemory(query)
        if concurrency == nil, let running = runningRequests, let waiting = queueDepth {
            concurrency = running + waiting
        }
    }

    /// Used over total GPU memory of the pod: Triton's `nv_gpu_memory_used_bytes` and
    /// `nv_gpu_memory_total_bytes`, or the agent's `inferscale_gpu_memory_used_bytes` and
    /// `inferscale_gpu_memory_total_bytes`, each summed over the GPUs listed.
    static func gpuMemory(_ query: SampleQuery) -> Double? {
        for (used, total) in [("nv_gpu_memory_used_bytes", "nv_gpu_memory_total_bytes"),
                              ("inferscale_gpu_memory_used_bytes", "inferscale_gpu_memory_total_bytes")] {
            if let u = query.sum(used), let t = query.sum(total), t > 0 { return min(1, max(0, u / t)) }
        }
        return nil
    }
}
