import Logging

/// Watches one ConfigMap by name (see `ObjectWatcher`): how a change to Knative's `config-autoscaler` reaches
/// inferscale within about a second.
public typealias ConfigMapWatcher = ObjectWatcher<ConfigMap>

extension ObjectWatcher where Object == ConfigMap {
    /// Creates a watcher of the ConfigMap `name` in `namespace`.
    public init(
        api: any KubernetesAPI, namespace: String, name: String, backoff: Backoff = Backoff(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "inferscale.kubernetes.configmaps")
    ) {
        self.init(
            what: "configmap \(name)", namespace: namespace, labelSelector: nil,
            list: { namespace, _ in try await api.listConfigMaps(namespace: namespace, name: name) },
            watch: { namespace, _, version in try await api.watchConfigMaps(namespace: namespace, name: name, resourceVersion: version) },
            backoff: backoff, jitter: jitter, logger: logger)
    }
}
