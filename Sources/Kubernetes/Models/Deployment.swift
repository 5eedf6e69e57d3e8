/// The fields of an apps/v1 Deployment that inferscale reads beyond its `/scale`: metadata (annotations such as
/// `inferscale.dev/paused`, labels such as KServe's `llm-d.ai/role`).
public struct Deployment: Codable, Sendable, Equatable {
    /// Name, namespace, labels and annotations.
    public var metadata: ObjectMeta

    /// Creates a value.
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}
