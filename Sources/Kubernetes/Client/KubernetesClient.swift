import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// The real `KubernetesAPI`: JSON over HTTP(S) with async-http-client, bearer-token or client-certificate auth,
/// bounded response sizes and specific errors.
///
/// Call `shutdown()` before dropping the client.
public final class KubernetesClient: KubernetesAPI {
    /// The configuration the client was made with.
    public let configuration: KubernetesClientConfiguration
    let httpClient: HTTPClient
    let tokenSource: TokenFileSource?
    let logger: Logger

    /// Creates a client. Certificates and keys are parsed here, so a bad PEM fails now with
    /// `KubernetesConfigurationError`, not at the first request.
    /// - Parameters:
    ///   - configuration: server, credentials, timeouts and limits.
    ///   - logger: logger for request failures (metadata keys `inferscale.k8s.*`).
    ///   - eventLoopGroup: the NIO event loop group to run on; default the shared singleton.
    public init(
        configuration: KubernetesClientConfiguration,
        logger: Logger = Logger(label: "inferscale.kubernetes"),
        eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup
    ) throws {
        guard configuration.server.hasPrefix("https://") || configuration.server.hasPrefix("http://"),
            URL(string: configuration.server)?.host != nil
        else {
            throw KubernetesConfigurationError(
                code: .invalidServer, message: "server \"\(configuration.server)\" is not an http(s) URL with a host")
        }
        self.configuration = configuration
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = configuration.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if case .clientCertificate(let certificatePEM, let keyPEM) = configuration.credentials {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificatePEM).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            }
        } catch {
            throw KubernetesConfigurationError(
                code: .invalidCertificate, message: "cannot parse the CA bundle or client certificate/key as PEM: \(error)")
        }
        if configuration.insecureSkipTLSVerify { tls.certificateVerification = .none }
        if case .bearerTokenFile(let path, let interval) = configuration.credentials {
            tokenSource = TokenFileSource(path: path, rereadInterval: interval)
        } else {
            tokenSource = nil
        }
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.tlsConfiguration = tls
        httpConfiguration.redirectConfiguration = .disallow
        httpConfiguration.timeout = .init(connect: .nanoseconds(configuration.timeouts.connect.inNanoseconds))
        httpConfiguration.decompression = .disabled
        httpConfiguration.httpVersion = .http1Only
        httpClient = HTTPClient(
            eventLoopGroupProvider: .shared(eventLoopGroup), configuration: httpConfiguration, backgroundActivityLogger: logger)
    }

    /// Shuts the HTTP client down; in-flight requests fail.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    // MARK: KubernetesAPI

    /// Lists pods, page by page (`limits.listPageSize`), up to `limits.maxListPages` pages.
    public func listPods(namespace: String, labelSelector: String?) async throws -> ObjectList<Pod> {
        try await list(
            path: "/api/v1/namespaces/\(segment(namespace))/pods", labelSelector: labelSelector,
            permission: RBACPermission(verb: "list", group: "", resource: "pods", namespace: namespace))
    }

    /// Watches pods from `resourceVersion` with `allowWatchBookmarks=true`.
    public func watchPods(
        namespace: String, labelSelector: String?, resourceVersion: String
    ) async throws -> AsyncThrowingStream<WatchEvent<Pod>, any Error> {
        var query = [
            ("watch", "1"), ("allowWatchBookmarks", "true"), ("resourceVersion", resourceVersion),
            ("timeoutSeconds", String(Int(configuration.timeouts.watchServerTimeout.inSeconds))),
        ]
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        return try await watch(
            Endpoint(
                method: .GET, path: "/api/v1/namespaces/\(segment(namespace))/pods", query: query,
                permission: RBACPermission(verb: "watch", group: "", resource: "pods", namespace: namespace)))
    }

    /// GET `/apis/{group}/{version}/namespaces/{namespace}/{deployments|leaderworkersets}/{name}/scale`.
    public func getScale(namespace: String, kind: ScaleTargetKind, name: String) async throws -> Scale {
        try await send(
            Endpoint(
                method: .GET, path: scalePath(namespace: namespace, kind: kind, name: name),
                permission: RBACPermission(verb: "get", group: kind.group, resource: kind.resource, subresource: "scale", namespace: namespace)),
            as: Scale.self)
    }

    /// PATCH (`application/merge-patch+json`) of `spec.replicas`, guarded by `metadata.resourceVersion` when given,
    /// as field manager `configuration.fieldManager`.
    public func patchScale(namespace: String, kind: ScaleTargetKind, name: String, replicas: Int, resourceVersion: String?) async throws -> Scale {
        struct Patch: Encodable {
            struct Metadata: Encodable { var resourceVersion: String }
            struct Spec: Encodable { var replicas: Int }
            var metadata: Metadata?
            var spec: Spec
        }
        let body = try JSONEncoder().encode(
            Patch(metadata: resourceVersion.map { Patch.Metadata(resourceVersion: $0) }, spec: .init(replicas: replicas)))
        return try await send(
            Endpoint(
                method: .PATCH, path: scalePath(namespace: namespace, kind: kind, name: name),
                query: [("fieldManager", configuration.fieldManager)],
                permission: RBACPermission(verb: "patch", group: kind.group, resource: kind.resource, subresource: "scale", namespace: namespace),
                body: body, contentType: "application/merge-patch+json"),
            as: Scale.self)
    }

    /// Lists Deployments, page by page.
    public func listDeployments(namespace: String) async throws -> ObjectList<Deployment> {
        try await list(
            path: "/apis/apps/v1/namespaces/\(segment(namespace))/deployments", labelSelector: nil,
            permission: RBACPermission(verb: "list", group: "apps", resource: "deployments", namespace: namespace))
    }

    /// Watches Deployments from `resourceVersion` with `allowWatchBookmarks=true`.
    public func watchDeployments(namespace: String, resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Deployment>, any Error> {
        try await watch(
            Endpoint(
                method: .GET, path: "/apis/apps/v1/namespaces/\(segment(namespace))/deployments",
                query: [
                    ("watch", "1"), ("allowWatchBookmarks", "true"), ("resourceVersion", resourceVersion),
                    ("timeoutSeconds", String(Int(configuration.timeouts.watchServerTimeout.inSeconds))),
                ],
                permission: RBACPermission(verb: "watch", group: "apps", resource: "deployments", namespace: namespace)))
    }

    /// GET `/apis/apps/v1/namespaces/{namespace}/deployments/{name}`.
    public func getDeployment(namespace: String, name: String) async throws -> Deployment {
        try await send(
            Endpoint(
                method: .GET, path: "/apis/apps/v1/namespaces/\(segment(namespace))/deployments/\(segment(name))",
                permission: RBACPermission(verb: "get", group: "apps", resource: "deployments", namespace: namespace)),
            as: Deployment.self)
    }

    /// Lists HorizontalPodAutoscalers (autoscaling/v2), page by page.
    public func listHorizontalPodAutoscalers(namespace: String) async throws -> ObjectList<AutoscalerObject> {
        try await list(
            path: "/apis/autoscaling/v2/namespaces/\(segment(namespace))/horizontalpodautoscalers", labelSelector: nil,
            permission: RBACPermission(verb: "list", group: "autoscaling", resource: "horizontalpodautoscalers", namespace: namespace))
    }

    /// Lists KEDA ScaledObjects (keda.sh/v1alpha1), page by page.
    public func listScaledObjects(namespace: String) async throws -> ObjectList<AutoscalerObject> {
        try await list(
            path: "/apis/keda.sh/v1alpha1/namespaces/\(segment(namespace))/scaledobjects", labelSelector: nil,
            permission: RBACPermission(verb: "list", group: "keda.sh", resource: "scaledobjects", namespace: namespace))
    }

    /// Lists LLMInferenceServices (serving.kserve.io/v1alpha1), page by page.
    public func listLLMInferenceServices(namespace: String) async throws -> ObjectList<LLMInferenceService> {
        try await list(
            path: "/apis/serving.kserve.io/v1alpha1/namespaces/\(segment(namespace))/llminferenceservices", labelSelector: nil,
            permission: RBACPermission(verb: "list", group: "serving.kserve.io", resource: "llminferenceservices", namespace: namespace))
    }

    /// PATCH (`application/merge-patch+json`) of a pod's `metadata.annotations`.
    public func patchPodAnnotations(namespace: String, name: String, annotations: [String: String?]) async throws {
        // A nil value becomes JSON null, which a merge patch reads as "remove the key".
        let body = try JSONSerialization.data(
            withJSONObject: ["metadata": ["annotations": annotations.mapValues { $0 as Any? ?? NSNull() }]], options: [.sortedKeys])
        _ = try await send(
            Endpoint(
                method: .PATCH, path: "/api/v1/namespaces/\(segment(namespace))/pods/\(segment(name))",
                permission: RBACPermission(verb: "patch", group: "", resource: "pods", namespace: namespace),
                body: body, contentType: "application/merge-patch+json"),
            as: Pod.self)
    }

    /// Lists InferenceServices, page by page.
    public func listInferenceServices(namespace: String) async throws -> ObjectList<InferenceService> {
        try await list(
            path: "/apis/serving.kserve.io/v1beta1/namespaces/\(segment(namespace))/inferenceservices", labelSelector: nil,
            permission: RBACPermission(
                verb: "list", group: "serving.kserve.io", resource: "inferenceservices", namespace: namespace))
    }

    /// GET a Lease.
    public func getLease(namespace: String, name: String) async throws -> Lease {
        try await send(
            Endpoint(
                method: .GET, path: leasePath(namespace: namespace) + "/\(segment(name))",
                permission: RBACPermission(verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: namespace)),
            as: Lease.self)
    }

    /// POST a Lease.
    public func createLease(_ lease: Lease) async throws -> Lease {
        let namespace = lease.metadata.namespace ?? ""
        return try await send(
            Endpoint(
                method: .POST, path: leasePath(namespace: namespace),
                permission: RBACPermission(
                    verb: "create", group: "coordination.k8s.io", resource: "leases", namespace: namespace),
                body: try JSONEncoder().encode(lease), contentType: "application/json"),
            as: Lease.self)
    }

    /// PUT a Lease.
    public func updateLease(_ lease: Lease) async throws -> Lease {
        let namespace = lease.metadata.namespace ?? ""
        return try await send(
            Endpoint(
                method: .PUT, path: leasePath(namespace: namespace) + "/\(segment(lease.metadata.name ?? ""))",
                permission: RBACPermission(
                    verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: namespace),
                body: try JSONEncoder().encode(lease), contentType: "application/json"),
            as: Lease.self)
    }

    /// POST a core/v1 Event.
    public func createEvent(_ event: KubernetesEvent) async throws -> KubernetesEvent {
        let namespace = event.metadata.namespace ?? ""
        return try await send(
            Endpoint(
                method: .POST, path: "/api/v1/namespaces/\(segment(namespace))/events",
                permission: RBACPermission(verb: "create", group: "", resource: "events", namespace: namespace),
                body: try JSONEncoder().encode(event), contentType: "application/json"),
            as: KubernetesEvent.self)
    }

    // MARK: Paths

    private func scalePath(namespace: String, kind: ScaleTargetKind, name: String) -> String {
        "/apis/\(kind.apiVersion)/namespaces/\(segment(namespace))/\(kind.resource)/\(segment(name))/scale"
    }

    private func leasePath(namespace: String) -> String {
        "/apis/coordination.k8s.io/v1/namespaces/\(segment(namespace))/leases"
    }
}
