import Foundation

/// ConfigMaps read by name: list and watch with `fieldSelector=metadata.name=…`, which the API server authorises
/// against a rule's `resourceNames`, so the Role can name the one ConfigMap and nothing else.
extension KubernetesClient {
    /// GET `/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name={name}`.
    public func listConfigMaps(namespace: String, name: String) async throws -> ObjectList<ConfigMap> {
        try await send(
            Endpoint(
                method: .GET, path: Self.configMapsPath(namespace), query: [("fieldSelector", "metadata.name=\(name)")],
                permission: RBACPermission(verb: "list", group: "", resource: "configmaps", namespace: namespace)),
            as: ObjectList<ConfigMap>.self)
    }

    /// Watches the one ConfigMap from `resourceVersion` with `allowWatchBookmarks=true`.
    public func watchConfigMaps(namespace: String, name: String, resourceVersion: String) async throws
        -> AsyncThrowingStream<WatchEvent<ConfigMap>, any Error>
    {
        try await watch(
            Endpoint(
                method: .GET, path: Self.configMapsPath(namespace),
                query: [
                    ("fieldSelector", "metadata.name=\(name)"), ("watch", "1"), ("allowWatchBookmarks", "true"),
                    ("resourceVersion", resourceVersion),
                    ("timeoutSeconds", String(Int(configuration.timeouts.watchServerTimeout.inSeconds))),
                ],
                permission: RBACPermission(verb: "watch", group: "", resource: "configmaps", namespace: namespace)))
    }

    static func configMapsPath(_ namespace: String) -> String { "/api/v1/namespaces/\(segment(namespace))/configmaps" }
}
