/// `spec.scaleTargetRef` of an autoscaler object (an autoscaling/v2 HorizontalPodAutoscaler or a KEDA
/// ScaledObject): the workload whose replicas that autoscaler writes.
public struct ScaleTargetReference: Codable, Sendable, Equatable {
    /// e.g. `apps/v1`; KEDA defaults it to `apps/v1` when absent.
    public var apiVersion: String?
    /// e.g. `Deployment`; KEDA defaults it to `Deployment` when absent.
    public var kind: String?
    /// The workload's name.
    public var name: String

    /// Creates a reference.
    public init(apiVersion: String? = nil, kind: String? = nil, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }
}

/// The spec fields an autoscaler object shares: only its scale target is read.
public struct AutoscalerObjectSpec: Codable, Sendable, Equatable {
    /// The workload the autoscaler scales.
    public var scaleTargetRef: ScaleTargetReference?

    /// Creates a spec.
    public init(scaleTargetRef: ScaleTargetReference? = nil) { self.scaleTargetRef = scaleTargetRef }
}

/// An object that writes a workload's replicas: an autoscaling/v2 HorizontalPodAutoscaler or a KEDA
/// `keda.sh/v1alpha1` ScaledObject. inferscale never patches a workload such an object points at.
public struct AutoscalerObject: Codable, Sendable, Equatable {
    /// Name and namespace.
    public var metadata: ObjectMeta
    /// The scale target.
    public var spec: AutoscalerObjectSpec?

    /// Creates an object.
    public init(metadata: ObjectMeta, spec: AutoscalerObjectSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}
