/// The `autoscaling/v1` Scale returned by a Deployment's `/scale` subresource.
///
/// Its `metadata.resourceVersion` is the Deployment's own, so it can guard a later write to either.
public struct Scale: Codable, Sendable, Equatable {
    /// Name, namespace, uid and resourceVersion of the Deployment.
    public var metadata: ObjectMeta
    /// The desired replicas.
    public var spec: ScaleSpec
    /// The observed replicas and the pod selector.
    public var status: ScaleStatus?

    /// Creates a Scale value.
    public init(metadata: ObjectMeta, spec: ScaleSpec, status: ScaleStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The desired replica count (`spec.replicas`, 0 when absent).
    public var replicas: Int { spec.replicas ?? 0 }
}

/// `Scale.spec`.
public struct ScaleSpec: Codable, Sendable, Equatable {
    /// Desired number of pods.
    public var replicas: Int?

    /// Creates a spec.
    public init(replicas: Int? = nil) { self.replicas = replicas }
}

/// `Scale.status`.
public struct ScaleStatus: Codable, Sendable, Equatable {
    /// Number of pods the controller currently runs.
    public var replicas: Int?
    /// Label selector of the pods, in string form (`app=web`).
    public var selector: String?

    /// Creates a status.
    public init(replicas: Int? = nil, selector: String? = nil) {
        self.replicas = replicas
        self.selector = selector
    }
}
