import Scaling

/// One scaling rule: which targets it matches, where their metrics come from, and the
/// policy. Every policy field is optional; what a rule leaves out comes from the target's
/// own settings (InferenceService fields, autoscaling annotations) and then Knative's defaults.
public struct Rule: Sendable, Equatable {
    /// Unique name across all rule files.
    public var name: String
    /// Where the rule was written (its `- name:` entry).
    public var location: SourceLocation
    public var match: Match
    public var source: Source
    public var policy: Policy

    /// A rule made in code (the built-in ones of `simulate`); files go through `RuleParser`.
    public init(name: String, location: SourceLocation, match: Match, source: Source, policy: Policy) {
        self.name = name
        self.location = location
        self.match = match
        self.source = source
        self.policy = policy
    }

    /// Which targets a rule applies to. Every given criterion must hold; none given matches all.
    public struct Match: Sendable, Equatable {
        public var namespace: String?
        /// Labels the target's pods (or Deployment) must carry, all of them.
        public var labels: [String: String] = [:]
        /// A KServe InferenceService name.
        public var inferenceService: String?
        /// A Deployment name.
        public var deployment: String?
        /// A KServe LLMInferenceService name.
        public var llmInferenceService: String?
        /// A disaggregated-serving role: `prefill`, `decode` or `both`.
        public var role: String?

        public init(namespace: String? = nil, labels: [String: String] = [:], inferenceService: String? = nil, deployment: String? = nil,
                    llmInferenceService: String? = nil, role: String? = nil) {
            self.namespace = namespace
            self.labels = labels
            self.inferenceService = inferenceService
            self.deployment = deployment
            self.llmInferenceService = llmInferenceService
            self.role = role
        }

        /// Higher is more specific: a name beats a role, a role beats labels, more labels beat fewer, a
        /// namespace breaks ties. A more specific rule wins over a more general one.
        public var specificity: Int {
            (inferenceService != nil || deployment != nil || llmInferenceService != nil ? 1000 : 0) + (role != nil ? 100 : 0)
                + labels.count * 10 + (namespace != nil ? 1 : 0)
        }

        /// Whether one target could satisfy both matchers.
        public func canOverlap(_ other: Match) -> Bool {
            func compatible(_ a: String?, _ b: String?) -> Bool { a == nil || b == nil || a == b }
            guard compatible(namespace, other.namespace), compatible(inferenceService, other.inferenceService),
                  compatible(deployment, other.deployment), compatible(llmInferenceService, other.llmInferenceService),
                  compatible(role, other.role) else { return false }
            return labels.allSatisfy { key, value in other.labels[key].map { $0 == value } ?? true }
        }

        /// Whether `target` satisfies every criterion.
        public func matches(_ target: TargetDescription) -> Bool {
            if let namespace, namespace != target.namespace { return false }
            if let inferenceService, inferenceService != target.inferenceService { return false }
            if let deployment, deployment != target.deployment { return false }
            if let llmInferenceService, llmInferenceService != target.llmInferenceService { return false }
            if let role, role != target.role { return false }
            return labels.allSatisfy { target.labels[$0.key] == $0.value }
        }
    }

    /// The model server the pods run, which decides metric names.
    public enum Runtime: String, Sendable, Equatable, CaseIterable {
        case vllm, tgi, triton, sglang, kserve
        case queueProxy = "queue-proxy"
    }

    /// Where a target's metrics come from.
    public struct Source: Sendable, Equatable {
        public var runtime: Runtime?
        /// Port of the runtime's metrics endpoint (1–65535).
        public var port: Int?
        /// Path of the runtime's metrics endpoint, starting with `/`.
        public var path: String?
        /// Scrape the Knative queue-proxy's stats (port 9090) for concurrency and requests/s.
        public var queueProxy: Bool?
        /// An activator or gateway pushes load for this target while it has no pods, so it
        /// can be woken from zero.
        public var push: Bool?
        /// The largest concurrency (requests in flight, whole target) or requests per second one
        /// push may report; a push above it is refused. nil: 100 × maxReplicas (10 000 without a
        /// maximum), so a single forged report cannot ask for unbounded replicas.
        public var pushCeiling: Double?
        /// Explicit metric names per signal, overriding the runtime's defaults.
        public var metricNames: [Signal: String] = [:]
        public var metricNameLocations: [Signal: SourceLocation] = [:]

        public init() {}
    }

    /// One metric of a rule's policy.
    public struct Metric: Sendable, Equatable {
        public var signal: Signal
        /// Per-pod target (utilisations: a fraction 0–1).
        public var target: Double
        /// Stable window in seconds; nil uses the policy's window.
        public var windowSeconds: Int?
        /// Panic window in seconds; nil uses the policy's panic percentage of the window.
        public var panicWindowSeconds: Int?
        public var panicOnly: Bool = false
        public var aggregation: AggregationAlgorithm?
        public var location: SourceLocation
    }

    /// `policy.objective`: size the target for a latency objective (seconds; nil: default).
    public struct Objective: Sendable, Equatable {
        /// Time to first token, seconds (required in a rule file).
        public var ttftSeconds: Double
        /// Share of requests that must meet it (default 0.95).
        public var quantile: Double?
        /// Time per output token, seconds (default none).
        public var tpotSeconds: Double?
        /// Seconds of demand history the forecast reads (default 600).
        public var historySeconds: Double?

        public init(ttftSeconds: Double, quantile: Double? = nil, tpotSeconds: Double? = nil, historySeconds: Double? = nil) {
            self.ttftSeconds = ttftSeconds
            self.quantile = quantile
            self.tpotSeconds = tpotSeconds
            self.historySeconds = historySeconds
        }
    }

    /// Policy settings; nil means "from the target, then Knative's default".
    public struct Policy: Sendable, Equatable {
        public var metrics: [Metric] = []
        public var windowSeconds: Int?
        public var panicWindowPercentage: Double?
        public var panicThresholdPercentage: Double?
        public var maxScaleUpRate: Double?
        public var maxScaleDownRate: Double?
        public var minReplicas: Int?
        public var maxReplicas: Int?
        public var initialReplicas: Int?
        public var scaleDownDelaySeconds: Int?
        public var activationScale: Int?
        public var targetBurstCapacity: Double?
        public var containerConcurrency: Int?
        public var coldStartSeconds: Double?
        public var aggregation: AggregationAlgorithm?
        public var scaleToZeroEnabled: Bool?
        public var scaleToZeroGraceSeconds: Double?
        public var scaleToZeroRetentionSeconds: Double?
        public var holdWhilePodsStart: Bool?
        public var kvCacheCeiling: Double?
        public var gpuMemoryCeiling: Double?
        /// A latency objective to size for instead of `metrics`.
        public var objective: Objective?
        /// Where each field was written, by its dotted path (for lint messages).
        public var locations: [String: SourceLocation] = [:]

        public init() {}
    }
}

/// What the control loop knows about a target when choosing and resolving its rule.
public struct TargetDescription: Sendable, Equatable {
    public var namespace: String
    /// The Deployment that is scaled.
    public var deployment: String
    /// The InferenceService that owns the Deployment, if any.
    public var inferenceService: String?
    public var labels: [String: String]
    /// The target's annotations as the cluster stores them; only `autoscaling.knative.dev/` keys are read as
    /// Knative settings, the rest (kubectl's, KServe's, users') are ignored by policy resolution.
    public var annotations: [String: String]
    /// The LLMInferenceService whose workload this is, if any.
    public var llmInferenceService: String?
    /// For disaggregated LLM serving: `prefill`, `decode` or `both`; nil for other targets.
    public var role: String?
    /// The workload kind that is scaled: `Deployment` or `LeaderWorkerSet`.
    public var kind: String = "Deployment"
    /// InferenceService predictor fields.
    public var minReplicas: Int?
    public var maxReplicas: Int?
    /// `concurrency`, `rps`, `cpu` or `memory`.
    public var scaleMetric: String?
    public var scaleTarget: Double?
    public var containerConcurrency: Int?

    public init(namespace: String, deployment: String, inferenceService: String? = nil, labels: [String: String] = [:],
                annotations: [String: String] = [:], minReplicas: Int? = nil, maxReplicas: Int? = nil,
                scaleMetric: String? = nil, scaleTarget: Double? = nil, containerConcurrency: Int? = nil) {
        self.namespace = namespace
        self.deployment = deployment
        self.inferenceService = inferenceService
        self.labels = labels
        self.annotations = annotations
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.scaleMetric = scaleMetric
        self.scaleTarget = scaleTarget
        self.containerConcurrency = containerConcurrency
    }

    /// `namespace/deployment`.
    public var key: String { "\(namespace)/\(deployment)" }
}
