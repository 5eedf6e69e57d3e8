/// The fields of a KServe `serving.kserve.io/v1alpha1` LLMInferenceService that decide who owns its workloads'
/// replicas. KServe (≥ 0.17) keeps the live replica count only while `spec.replicas` and `spec.scaling` are
/// both unset; otherwise it writes the count itself (or through its own HPA/KEDA object).
public struct LLMInferenceService: Codable, Sendable, Equatable {
    /// Name, namespace and annotations (`inferscale.dev/paused` is read there).
    public var metadata: ObjectMeta
    /// The decode (or both-roles) workload, with an optional prefill workload beside it.
    public var spec: LLMInferenceServiceSpec?

    /// Creates a value.
    public init(metadata: ObjectMeta, spec: LLMInferenceServiceSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `LLMInferenceService.spec` (and `spec.prefill`, which has the same scaling fields).
public struct LLMInferenceServiceSpec: Codable, Sendable, Equatable {
    /// A static replica count: KServe enforces it.
    public var replicas: Int?
    /// KServe's own scaling (WVA with an HPA or KEDA): KServe's autoscaler owns the count.
    public var scaling: Present?
    /// Multi-node serving: the workload is a LeaderWorkerSet (`<name>-kserve-mn`).
    public var worker: Present?
    /// The disaggregated prefill workload (`<name>-kserve-prefill`), when present.
    public var prefill: LLMPrefillSpec?

    /// Creates a spec.
    public init(replicas: Int? = nil, scaling: Present? = nil, worker: Present? = nil, prefill: LLMPrefillSpec? = nil) {
        self.replicas = replicas
        self.scaling = scaling
        self.worker = worker
        self.prefill = prefill
    }
}

/// `LLMInferenceService.spec.prefill`.
public struct LLMPrefillSpec: Codable, Sendable, Equatable {
    /// A static replica count for prefill.
    public var replicas: Int?
    /// KServe's own scaling of prefill.
    public var scaling: Present?
    /// Multi-node prefill (`<name>-kserve-mn-prefill`).
    public var worker: Present?

    /// Creates a spec.
    public init(replicas: Int? = nil, scaling: Present? = nil, worker: Present? = nil) {
        self.replicas = replicas
        self.scaling = scaling
        self.worker = worker
    }
}

/// A field whose presence matters and whose content is not read (any JSON object decodes to it).
public struct Present: Codable, Sendable, Equatable {
    /// Creates the marker.
    public init() {}
    /// Accepts any value.
    public init(from decoder: any Decoder) throws {}
    /// Encodes an empty object.
    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: EmptyKeys.self)
    }
    private enum EmptyKeys: CodingKey {}
}
