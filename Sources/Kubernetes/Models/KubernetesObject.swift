/// An object with standard metadata; what watch streams and the pod store need.
public protocol KubernetesObject: Codable, Sendable {
    /// Standard object metadata.
    var metadata: ObjectMeta { get }
}

extension Pod: KubernetesObject {}
extension Deployment: KubernetesObject {}
extension Scale: KubernetesObject {}
extension Lease: KubernetesObject {}
extension InferenceService: KubernetesObject {}
extension KubernetesEvent: KubernetesObject {}
