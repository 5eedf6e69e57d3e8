/// A container the kubelet has given a device to: the `namespace`, `pod` and `container` labels on the
/// agent's GPU series.
public struct GPUHolder: Sendable, Hashable, Comparable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The container's name within the pod.
    public var container: String

    /// Creates a holder.
    public init(namespace: String, pod: String, container: String) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
    }

    /// Orders by namespace, pod, container, so that output is stable.
    public static func < (lhs: GPUHolder, rhs: GPUHolder) -> Bool {
        (lhs.namespace, lhs.pod, lhs.container) < (rhs.namespace, rhs.pod, rhs.container)
    }
}
