/// A core/v1 ConfigMap: inferscale reads one, Knative Serving's `config-autoscaler` in `knative-serving`, for the
/// cluster's autoscaling defaults and its `pod-autoscaler-class`.
public struct ConfigMap: Codable, Sendable, Equatable {
    /// Name, namespace, resourceVersion.
    public var metadata: ObjectMeta
    /// The key-value pairs; absent when the ConfigMap has none.
    public var data: [String: String]?

    /// Creates a value.
    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}

extension ConfigMap: KubernetesObject {}
