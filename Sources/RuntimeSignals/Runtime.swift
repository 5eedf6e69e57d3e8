import Exposition

/// A model-serving runtime (or sidecar) whose metrics inferscale understands.
public enum Runtime: String, Sendable, Hashable, CaseIterable {
    /// vLLM (V1 engine), `:8000/metrics`.
    case vllm
    /// SGLang with `--enable-metrics`.
    case sglang
    /// Hugging Face text-generation-inference router, `--prometheus-port` (9000).
    case tgi
    /// NVIDIA Triton, `:8002/metrics`.
    case triton
    /// The KServe Python model server, `/metrics` on the REST port.
    case kserve
    /// Knative queue-proxy user metrics on `:9091`, OpenTelemetry (`kn_serving_*`) or OpenCensus (`revision_*`) names.
    case queueProxy = "queue-proxy"

    /// Recognises the runtime from the families a scrape contains, or `nil` when none matches.
    ///
    /// Checked in this order, so a KServe merged endpoint that carries both queue-proxy and vLLM
    /// families is seen as the model runtime.
    public init?(detecting exposition: ParsedExposition) {
        var prefixes: Set<Runtime> = []
        for family in exposition.families {
            let name = family.name
            if name.hasPrefix("vllm:") { prefixes.insert(.vllm) }
            else if name.hasPrefix("sglang:") { prefixes.insert(.sglang) }
            else if name.hasPrefix("tgi_") { prefixes.insert(.tgi) }
            else if name.hasPrefix("nv_inference_") { prefixes.insert(.triton) }
            else if name.hasPrefix("request_predict_seconds") { prefixes.insert(.kserve) }
            else if name.hasPrefix("kn_serving_") || name.hasPrefix("revision_request_count") || name.hasPrefix("revision_queue_depth") {
                prefixes.insert(.queueProxy)
            }
        }
        guard let found = Runtime.allCases.first(where: prefixes.contains) else { return nil }
        self = found
    }
}
