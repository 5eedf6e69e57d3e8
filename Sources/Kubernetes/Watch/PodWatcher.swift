import Logging

/// Watches the pods of one namespace (see `ObjectWatcher`).
public typealias PodWatcher = ObjectWatcher<Pod>

extension ObjectWatcher where Object == Pod {
    /// Creates a watcher of the pods in `namespace` matching `labelSelector` (nil: all).
    /// - Parameter jitter: random numbers in [0, 1) for backoff jitter; injectable for tests.
    public init(
        api: any KubernetesAPI, namespace: String, labelSelector: String?, backoff: Backoff = Backoff(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "inferscale.kubernetes.pods")
    ) {
        self.init(
            what: "pods", namespace: namespace, labelSelector: labelSelector,
            list: { try await api.listPods(namespace: $0, labelSelector: $1) },
            watch: { try await api.watchPods(namespace: $0, labelSelector: $1, resourceVersion: $2) },
            backoff: backoff, jitter: jitter, logger: logger)
    }
}
