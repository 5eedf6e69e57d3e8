/// The fields of an apps/v1 Deployment that inferscale reads beyond its `/scale`: metadata (annotations such as
/// `inferscale.dev/paused`, labels) and the desired replicas, which the Deployment watch follows to spot another
/// writer.
public struct Deployment: Codable, Sendable, Equatable {
    /// Name, namespace, labels and annotations.
    public var metadata: ObjectMeta
    /// The desired state; only `replicas` is read.
    public var spec: DeploymentSpec?

    /// Creates a value.
    public init(metadata: ObjectMeta, spec: DeploymentSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `Deployment.spec`.
public struct DeploymentSpec: Codable, Sendable, Equatable {
    /// Desired pods; the API server defaults an absent value to 1.
    public var replicas: Int?

    /// Creates a spec.
    public init(replicas: Int? = nil) { self.replicas = replicas }
}
