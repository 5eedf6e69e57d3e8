import Foundation

/// The Knative Serving objects a PodAutoscaler-class controller reads and writes: PodAutoscalers (and their
/// `/status`) and ServerlessServices.
extension KubernetesClient {
    /// Lists PodAutoscalers, page by page.
    public func listPodAutoscalers(namespace: String) async throws -> ObjectList<PodAutoscaler> {
        try await list(
            path: Self.podAutoscalersPath(namespace), labelSelector: nil,
            permission: RBACPermission(verb: "list", group: "autoscaling.internal.knative.dev", resource: "podautoscalers", namespace: namespace))
    }

    /// PUT `…/podautoscalers/{name}/status`.
    public func updatePodAutoscalerStatus(_ podAutoscaler: PodAutoscaler) async throws -> PodAutoscaler {
        let namespace = podAutoscaler.metadata.namespace ?? ""
        return try await send(
            Endpoint(
                method: .PUT, path: Self.podAutoscalersPath(namespace) + "/\(segment(podAutoscaler.metadata.name ?? ""))/status",
                permission: RBACPermission(verb: "update", group: "autoscaling.internal.knative.dev", resource: "podautoscalers",
                                           subresource: "status", namespace: namespace),
                body: try JSONEncoder().encode(podAutoscaler), contentType: "application/json"),
            as: PodAutoscaler.self)
    }

    /// GET a ServerlessService.
    public func getServerlessService(namespace: String, name: String) async throws -> ServerlessService {
        try await send(
            Endpoint(
                method: .GET, path: Self.serverlessServicesPath(namespace) + "/\(segment(name))",
                permission: RBACPermission(verb: "get", group: "networking.internal.knative.dev", resource: "serverlessservices", namespace: namespace)),
            as: ServerlessService.self)
    }

    /// POST a ServerlessService.
    public func createServerlessService(_ service: ServerlessService) async throws -> ServerlessService {
        let namespace = service.metadata.namespace ?? ""
        return try await send(
            Endpoint(
                method: .POST, path: Self.serverlessServicesPath(namespace),
                permission: RBACPermission(verb: "create", group: "networking.internal.knative.dev", resource: "serverlessservices", namespace: namespace),
                body: try JSONEncoder().encode(service), contentType: "application/json"),
            as: ServerlessService.self)
    }

    /// PUT a ServerlessService.
    public func updateServerlessService(_ service: ServerlessService) async throws -> ServerlessService {
        let namespace = service.metadata.namespace ?? ""
        return try await send(
            Endpoint(
                method: .PUT, path: Self.serverlessServicesPath(namespace) + "/\(segment(service.metadata.name ?? ""))",
                permission: RBACPermission(verb: "update", group: "networking.internal.knative.dev", resource: "serverlessservices", namespace: namespace),
                body: try JSONEncoder().encode(service), contentType: "application/json"),
            as: ServerlessService.self)
    }

    static func podAutoscalersPath(_ namespace: String) -> String {
        "/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/\(segment(namespace))/podautoscalers"
    }

    static func serverlessServicesPath(_ namespace: String) -> String {
        "/apis/networking.internal.knative.dev/v1alpha1/namespaces/\(segment(namespace))/serverlessservices"
    }
}
