import Exposition

extension RuntimeSignals {
    /// The families a scrape of `runtime` must keep for ``init(from:runtime:)`` to read the same signals as
    /// from the whole body: every family that may hold one of the sample names the runtime's signals (and
    /// the GPU memory figures every runtime may carry) are read from. Pass it to
    /// ``ExpositionParser/parse(_:keeping:)-([UInt8],_)`` so the rest of a body is skipped line by line, not built.
    public static func families(for runtime: Runtime) -> FamilyFilter {
        familyFilters[runtime] ?? FamilyFilter([])
    }

    /// The full sample names the extraction reads, per runtime; the extraction checks (in debug builds) that
    /// it asks for nothing else, so this list cannot fall behind it unnoticed.
    static func sampleNames(_ runtime: Runtime) -> Set<String> {
        sampleNamesByRuntime[runtime] ?? []
    }

    private static let gpuMemorySampleNames = ["nv_gpu_memory_used_bytes", "nv_gpu_memory_total_bytes",
                                               "inferscale_gpu_memory_used_bytes", "inferscale_gpu_memory_total_bytes"]

    private static func histogram(_ name: String) -> [String] { [name + "_bucket", name + "_count", name + "_sum"] }

    private static let sampleNamesByRuntime: [Runtime: Set<String>] = {
        let own: [Runtime: [String]] = [
            .vllm: ["vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:request_success_total",
                    "vllm:prompt_tokens_total", "vllm:generation_tokens_total", "vllm:kv_cache_usage_perc",
                    "vllm:gpu_cache_usage_perc", "vllm:cache_config_info"] + histogram("vllm:time_to_first_token_seconds"),
            .sglang: ["sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:num_requests_total", "sglang:prompt_tokens_total",
                      "sglang:generation_tokens_total", "sglang:token_usage"] + histogram("sglang:time_to_first_token_seconds"),
            .tgi: ["tgi_batch_current_size", "tgi_queue_size", "tgi_request_count", "tgi_request_input_length_sum",
                   "tgi_request_generated_tokens_sum"],
            .triton: ["nv_inference_pending_request_count", "nv_inference_request_success", "nv_inference_request_failure"]
                + histogram("nv_inference_first_response_histogram_ms"),
            .kserve: ["request_predict_seconds_count"],
            .queueProxy: ["kn_serving_queue_depth", "revision_queue_depth", "kn_serving_invocation_duration_seconds_count",
                          "revision_request_count"],
        ]
        return own.mapValues { Set($0 + gpuMemorySampleNames) }
    }()

    private static let familyFilters: [Runtime: FamilyFilter] =
        sampleNamesByRuntime.mapValues { FamilyFilter($0.flatMap(SampleQuery.families(holding:))) }
}
