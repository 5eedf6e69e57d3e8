import Scaling

/// What each model server exposes, for lint: which canonical signals it has, under which
/// metric names, and which names were renamed. Facts from ../shared/reference/metric-formats.md
/// (vLLM V1 `vllm/v1/metrics/loggers.py`, SGLang `metrics/collector.py`, TGI router, Triton
/// `metrics.cc`, KServe `metrics.py`, Knative queue-proxy).
public enum RuntimeCatalog {
    /// The metric name each runtime uses for each signal it exposes (queue-proxy supplies
    /// concurrency and requests/s for every runtime).
    public static func metricName(_ signal: Signal, runtime: Rule.Runtime) -> String? {
        switch (runtime, signal) {
        case (_, .concurrency), (_, .rps): "queue-proxy stats (port 9090)"
        case (_, .gpuMemoryUtilization): runtime == .triton ? "nv_gpu_memory_used_bytes / nv_gpu_memory_total_bytes" : "inferscale agent (NVML)"
        case (.vllm, .queueDepth): "vllm:num_requests_waiting"
        case (.vllm, .running): "vllm:num_requests_running"
        case (.vllm, .promptTokensPerSecond): "rate(vllm:prompt_tokens_total)"
        case (.vllm, .generationTokensPerSecond): "rate(vllm:generation_tokens_total)"
        case (.vllm, .kvCacheUtilization): "vllm:kv_cache_usage_perc"
        case (.sglang, .queueDepth): "sglang:num_queue_reqs"
        case (.sglang, .running): "sglang:num_running_reqs"
        case (.sglang, .promptTokensPerSecond): "rate(sglang:prompt_tokens_total)"
        case (.sglang, .generationTokensPerSecond): "rate(sglang:generation_tokens_total)"
        case (.sglang, .kvCacheUtilization): "sglang:token_usage"
        case (.tgi, .queueDepth): "tgi_queue_size"
        case (.tgi, .running): "tgi_batch_current_size"
        case (.tgi, .promptTokensPerSecond): "rate(tgi_request_input_length_sum)"
        case (.tgi, .generationTokensPerSecond): "rate(tgi_request_generated_tokens_sum)"
        case (.triton, .queueDepth): "nv_inference_pending_request_count"
        case (.queueProxy, .queueDepth): "kn_serving_queue_depth"
        default: nil
        }
    }

    /// Metric names a runtime renamed: old name → (new name, when).
    public static let renamed: [String: (replacement: String, note: String)] = [
        "vllm:gpu_cache_usage_perc": ("vllm:kv_cache_usage_perc", "renamed in vLLM 0.9, gone from the default set around 0.12"),
        "vllm:gpu_prefix_cache_queries": ("vllm:prefix_cache_queries", "renamed in vLLM 0.9"),
        "vllm:gpu_prefix_cache_hits": ("vllm:prefix_cache_hits", "renamed in vLLM 0.9"),
        "vllm:time_per_output_token_seconds": ("vllm:inter_token_latency_seconds", "deprecated in vLLM 0.11, removal planned for 0.13"),
        "vllm:avg_prompt_throughput_toks_per_s": ("rate(vllm:prompt_tokens_total)", "V0 engine only; not in vLLM V1"),
        "vllm:avg_generation_throughput_toks_per_s": ("rate(vllm:generation_tokens_total)", "V0 engine only; not in vLLM V1"),
        "revision_queue_depth": ("kn_serving_queue_depth", "Knative's older OpenCensus name"),
        "revision_request_count": ("kn_serving_invocation_duration_seconds_count", "Knative's older OpenCensus name"),
    ]

    /// The usual metrics port of a runtime.
    public static func defaultPort(_ runtime: Rule.Runtime) -> Int {
        switch runtime {
        case .vllm: 8000
        case .tgi: 9000  // the router's --prometheus-port, separate from the API port
        case .triton: 8002
        case .sglang: 30000
        case .kserve: 8080
        case .queueProxy: 9091
        }
    }
}
