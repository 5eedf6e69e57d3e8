import Foundation

/// The fields of a core/v1 Pod that discovery needs: identity, labels, phase, readiness and IP.
public struct Pod: Codable, Sendable, Equatable {
    /// Pod metadata (name, labels, resourceVersion, deletionTimestamp).
    public var metadata: ObjectMeta
    /// Observed status; absent on a freshly created pod.
    public var status: PodStatus?

    /// Creates a pod value.
    public init(metadata: ObjectMeta, status: PodStatus? = nil) {
        self.metadata = metadata
        self.status = status
    }

    /// When the pod last became ready, if it is ready and the server reported the transition time.
    public var readySince: Date? {
        guard isReady, let condition = status?.conditions?.first(where: { $0.type == "Ready" }) else { return nil }
        return condition.lastTransitionTime.flatMap(KubernetesTime.parse)
    }

    /// When the pod object was created (`metadata.creationTimestamp`), if the server reported it.
    public var createdAt: Date? { metadata.creationTimestamp.flatMap(KubernetesTime.parse) }

    /// True when the pod can take traffic: phase Running, condition `Ready` is "True", and it is not being deleted.
    public var isReady: Bool {
        guard metadata.deletionTimestamp == nil, status?.phase == "Running" else { return false }
        return status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }
}

/// The observed state of a pod.
public struct PodStatus: Codable, Sendable, Equatable {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String?
    /// The pod's IP address once it has one.
    public var podIP: String?
    /// Conditions such as `Ready` and `ContainersReady`.
    public var conditions: [PodCondition]?

    /// Creates a pod status.
    public init(phase: String? = nil, podIP: String? = nil, conditions: [PodCondition]? = nil) {
        self.phase = phase
        self.podIP = podIP
        self.conditions = conditions
    }
}

/// One pod condition, e.g. `type: Ready, status: "True"`.
public struct PodCondition: Codable, Sendable, Equatable {
    /// Condition type (`Ready`, `PodScheduled`, …).
    public var type: String
    /// `"True"`, `"False"` or `"Unknown"`.
    public var status: String
    /// When the condition last changed (RFC 3339); for `Ready`, when the pod became ready (or unready).
    public var lastTransitionTime: String?

    /// Creates a condition.
    public init(type: String, status: String, lastTransitionTime: String? = nil) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
    }
}
