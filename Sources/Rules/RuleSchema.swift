/// Every key a rule file accepts, with its type, default and meaning. The parser rejects
/// keys not listed here, and a test checks that docs/rules.md documents exactly these keys,
/// so the reference cannot drift from the code.
public enum RuleSchema {
    /// One documented key.
    public struct Field: Sendable {
        /// Dotted path, `[]` for list items: `rules[].policy.metrics[].target`.
        public var path: String
        public var type: String
        public var defaultValue: String
        public var doc: String
    }

    public static let fields: [Field] = [
        .init(path: "apiVersion", type: "string", defaultValue: "inferscale.dev/v1", doc: "format version; only inferscale.dev/v1"),
        .init(path: "kind", type: "string", defaultValue: "ScalingRules", doc: "only ScalingRules"),
        .init(path: "rules", type: "list", defaultValue: "—", doc: "the rules of this file"),
        .init(path: "rules[].name", type: "string", defaultValue: "required", doc: "unique across all files; names the rule in logs and decisions"),
        .init(path: "rules[].match", type: "map", defaultValue: "matches every target", doc: "all given criteria must hold"),
        .init(path: "rules[].match.namespace", type: "string", defaultValue: "any", doc: "the target's namespace"),
        .init(path: "rules[].match.labels", type: "map of string", defaultValue: "{}", doc: "labels the target must carry, all of them"),
        .init(path: "rules[].match.inferenceService", type: "string", defaultValue: "any", doc: "a KServe InferenceService name"),
        .init(path: "rules[].match.deployment", type: "string", defaultValue: "any", doc: "a Deployment name"),
        .init(path: "rules[].match.llmInferenceService", type: "string", defaultValue: "any", doc: "a KServe LLMInferenceService name"),
        .init(path: "rules[].match.role", type: "string", defaultValue: "any", doc: "a disaggregated LLM role: prefill, decode or both"),
        .init(path: "rules[].source", type: "map", defaultValue: "queue-proxy only", doc: "where metrics come from"),
        .init(path: "rules[].source.runtime", type: "vllm | tgi | triton | sglang | kserve | queue-proxy", defaultValue: "none", doc: "the model server; decides metric names"),
        .init(path: "rules[].source.port", type: "integer 1–65535", defaultValue: "the runtime's usual port", doc: "the runtime's metrics port"),
        .init(path: "rules[].source.path", type: "string", defaultValue: "/metrics", doc: "the runtime's metrics path"),
        .init(path: "rules[].source.queueProxy", type: "bool", defaultValue: "true", doc: "scrape Knative's queue-proxy stats (port 9090) for concurrency and requests/s"),
        .init(path: "rules[].source.push", type: "bool", defaultValue: "false", doc: "an activator or gateway pushes load while the target has no pods (needed to wake it from zero)"),
        .init(path: "rules[].source.pushCeiling", type: "number > 0", defaultValue: "100 × maxReplicas (10 000 without a maximum)", doc: "the largest concurrency or requests/s one push may report for the target; a push above it is refused (422)"),
        .init(path: "rules[].source.metricNames", type: "map signal → metric name", defaultValue: "the runtime's names", doc: "override the metric read for a signal"),
        .init(path: "rules[].policy", type: "map", defaultValue: "Knative's defaults", doc: "how to scale"),
        .init(path: "rules[].policy.metrics", type: "list", defaultValue: "concurrency, target 70 per pod", doc: "signals to scale on; the largest recommendation wins"),
        .init(path: "rules[].policy.metrics[].signal", type: "concurrency | rps | queue-depth | running | prompt-tokens-per-second | generation-tokens-per-second | kv-cache-utilization | gpu-memory-utilization", defaultValue: "required", doc: "the signal"),
        .init(path: "rules[].policy.metrics[].target", type: "number > 0", defaultValue: "required", doc: "per-pod target, in the signal's unit (utilisations: a fraction up to 1)"),
        .init(path: "rules[].policy.metrics[].window", type: "duration, whole seconds, 6s–1h", defaultValue: "policy.window", doc: "stable window of this metric"),
        .init(path: "rules[].policy.metrics[].panicWindow", type: "duration, whole seconds, ≥ 1s", defaultValue: "panicWindowPercentage of the window", doc: "panic window of this metric"),
        .init(path: "rules[].policy.metrics[].panicOnly", type: "bool", defaultValue: "false", doc: "only triggers panic (token-aware panic); does not vote in stable mode"),
        .init(path: "rules[].policy.metrics[].aggregation", type: "linear | weighted-exponential", defaultValue: "policy.aggregation", doc: "how the windows average"),
        .init(path: "rules[].policy.window", type: "duration, whole seconds, 6s–1h", defaultValue: "60s", doc: "stable window"),
        .init(path: "rules[].policy.panicWindowPercentage", type: "number 1–100", defaultValue: "10", doc: "panic window as a percentage of the stable window"),
        .init(path: "rules[].policy.panicThresholdPercentage", type: "number 110–1000", defaultValue: "200", doc: "panic when the panic count reaches this % of ready pods"),
        .init(path: "rules[].policy.maxScaleUpRate", type: "number > 1", defaultValue: "1000", doc: "one decision adds at most this multiple of ready pods"),
        .init(path: "rules[].policy.maxScaleDownRate", type: "number > 1", defaultValue: "2", doc: "one decision keeps at least ready pods ÷ this"),
        .init(path: "rules[].policy.minReplicas", type: "integer ≥ 0", defaultValue: "InferenceService minReplicas, else 0", doc: "least replicas; 0 allows scale to zero"),
        .init(path: "rules[].policy.maxReplicas", type: "integer ≥ 0", defaultValue: "InferenceService maxReplicas, else 0 (unbounded)", doc: "most replicas"),
        .init(path: "rules[].policy.initialReplicas", type: "integer ≥ 1", defaultValue: "1", doc: "replicas a new target starts with"),
        .init(path: "rules[].policy.scaleDownDelay", type: "duration, whole seconds, 0–1h", defaultValue: "0s", doc: "scale-downs wait until higher counts of this period have passed"),
        .init(path: "rules[].policy.activationScale", type: "integer ≥ 2", defaultValue: "off", doc: "least replicas whenever there is any load"),
        .init(path: "rules[].policy.targetBurstCapacity", type: "number ≥ 0 or -1", defaultValue: "211", doc: "requests to absorb without queueing; -1 keeps the activator in the path"),
        .init(path: "rules[].policy.containerConcurrency", type: "integer 0–1000", defaultValue: "InferenceService containerConcurrency, else 0", doc: "hard limit of requests per pod (0 = none)"),
        .init(path: "rules[].policy.coldStart", type: "duration", defaultValue: "0s", doc: "the model's expected time from pod start to ready (image pull, weights load)"),
        .init(path: "rules[].policy.aggregation", type: "linear | weighted-exponential", defaultValue: "linear", doc: "how windows average"),
        .init(path: "rules[].policy.scaleToZero", type: "map", defaultValue: "enabled", doc: "scale-to-zero settings"),
        .init(path: "rules[].policy.scaleToZero.enabled", type: "bool", defaultValue: "true", doc: "whether the target may go to zero (also needs minReplicas 0)"),
        .init(path: "rules[].policy.scaleToZero.gracePeriod", type: "duration > 0", defaultValue: "30s", doc: "the activator must be in the path this long before the last pod goes"),
        .init(path: "rules[].policy.scaleToZero.podRetention", type: "duration, 0–1h", defaultValue: "0s", doc: "the last pod stays at least this long after the target went idle"),
        .init(path: "rules[].policy.objective", type: "map", defaultValue: "none", doc: "size for a latency objective instead of per-signal targets: capacity, demand and cold start are learned from the pods (docs/rules.md#objective)"),
        .init(path: "rules[].policy.objective.ttft", type: "duration, > 0s, ≤ 10m", defaultValue: "required", doc: "time to first token the quantile of requests must meet"),
        .init(path: "rules[].policy.objective.quantile", type: "number 0.5–0.999", defaultValue: "0.95", doc: "share of requests that must meet the ttft"),
        .init(path: "rules[].policy.objective.tpot", type: "duration, > 0s, ≤ 10s", defaultValue: "none", doc: "time per output token to keep under"),
        .init(path: "rules[].policy.objective.history", type: "duration, whole seconds, 1m–1h", defaultValue: "10m", doc: "demand history the forecast reads"),
        .init(path: "rules[].policy.guards", type: "map", defaultValue: "none", doc: "conditions that hold a scale-down"),
        .init(path: "rules[].policy.guards.holdWhilePodsStart", type: "bool", defaultValue: "false", doc: "no scale-down while pods are not ready or inside their cold start"),
        .init(path: "rules[].policy.guards.kvCacheCeiling", type: "fraction 0–1", defaultValue: "none", doc: "no scale-down that would push mean KV-cache use above this"),
        .init(path: "rules[].policy.guards.gpuMemoryCeiling", type: "fraction 0–1", defaultValue: "none", doc: "no scale-down that would push a remaining pod's GPU memory use above this (per pod from the GPU agent or dcgm-exporter, else the mean)"),
    ]

    /// The keys allowed in the mapping at `path` (a field path whose type is a map or list item).
    static func keys(under path: String) -> [String] {
        let prefix = path.isEmpty ? "" : path + "."
        return fields.compactMap { field in
            guard field.path.hasPrefix(prefix) else { return nil }
            let rest = field.path.dropFirst(prefix.count)
            guard !rest.isEmpty, !rest.contains(".") else { return nil }
            return String(rest)
        }
    }
}
