import Logging

/// Watches the Deployments of one namespace (see `ObjectWatcher`): how inferscale sees, within about a second,
/// another writer change a target's replicas.
public typealias DeploymentWatcher = ObjectWatcher<Deployment>

extension ObjectWatcher where Object == Deployment {
    /// Creates a watcher of the Deployments in `namespace`.
    public init(
        api: any KubernetesAPI, namespace: String, backoff: Backoff = Backoff(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "inferscale.kubernetes.deployments")
    ) {
        self.init(
            what: "deployments", namespace: namespace, labelSelector: nil,
            list: { namespace, _ in try await api.listDeployments(namespace: namespace) },
            watch: { namespace, _, version in try await api.watchDeployments(namespace: namespace, resourceVersion: version) },
            backoff: backoff, jitter: jitter, logger: logger)
    }
}
