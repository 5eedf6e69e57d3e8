import Foundation

/// A resource type the fake serves, with the names the real API server uses in paths and messages.
public struct FakeResource: Sendable, Hashable {
    /// API group; empty for core.
    public var group: String
    /// API version, e.g. `v1`.
    public var version: String
    /// Plural resource name used in paths and RBAC rules.
    public var plural: String
    /// Kind of the objects.
    public var kind: String

    /// `group/version`, or `version` for core.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `plural.group` as in messages (`deployments.apps`), or just `plural` for core.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// core/v1 pods.
    public static let pods = FakeResource(group: "", version: "v1", plural: "pods", kind: "Pod")
    /// core/v1 events.
    public static let events = FakeResource(group: "", version: "v1", plural: "events", kind: "Event")
    /// core/v1 configmaps (Knative's `config-autoscaler`).
    public static let configMaps = FakeResource(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap")
    /// apps/v1 deployments.
    public static let deployments = FakeResource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment")
    /// coordination.k8s.io/v1 leases.
    public static let leases = FakeResource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease")
    /// serving.kserve.io/v1beta1 inferenceservices.
    public static let inferenceServices = FakeResource(
        group: "serving.kserve.io", version: "v1beta1", plural: "inferenceservices", kind: "InferenceService")

    /// autoscaling/v2 horizontalpodautoscalers.
    public static let horizontalPodAutoscalers = FakeResource(
        group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler")
    /// KEDA's keda.sh/v1alpha1 scaledobjects (a CRD: `FakeKubernetesAPIServer.uninstall` makes it 404).
    public static let scaledObjects = FakeResource(group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", kind: "ScaledObject")
    /// KServe's serving.kserve.io/v1alpha1 llminferenceservices.
    public static let llmInferenceServices = FakeResource(
        group: "serving.kserve.io", version: "v1alpha1", plural: "llminferenceservices", kind: "LLMInferenceService")
    /// leaderworkerset.x-k8s.io/v1 leaderworkersets, with a scale subresource (`specReplicasPath: .spec.replicas`,
    /// `labelSelectorPath: .status.hpaPodSelector`, as the LeaderWorkerSet CRD declares).
    public static let leaderWorkerSets = FakeResource(
        group: "leaderworkerset.x-k8s.io", version: "v1", plural: "leaderworkersets", kind: "LeaderWorkerSet")

    /// Knative's autoscaling.internal.knative.dev/v1alpha1 podautoscalers, with a `/status` subresource.
    public static let podAutoscalers = FakeResource(
        group: "autoscaling.internal.knative.dev", version: "v1alpha1", plural: "podautoscalers", kind: "PodAutoscaler")
    /// Knative's networking.internal.knative.dev/v1alpha1 serverlessservices, with a `/status` subresource.
    public static let serverlessServices = FakeResource(
        group: "networking.internal.knative.dev", version: "v1alpha1", plural: "serverlessservices", kind: "ServerlessService")

    /// Every resource the fake serves.
    public static let all: [FakeResource] = [
        .pods, .events, .configMaps, .deployments, .leases, .inferenceServices, .horizontalPodAutoscalers, .scaledObjects,
        .llmInferenceServices, .leaderWorkerSets, .podAutoscalers, .serverlessServices,
    ]
    /// The resources with a `/status` subresource, as their CRDs declare it (Knative's `config/core/300-resources/`
    /// podautoscaler.yaml and serverlessservice.yaml: `subresources: status: {}`): the main resource's writes keep
    /// the stored status, `/status` writes change only the status, and `metadata.generation` counts spec changes.
    public static let withStatusSubresource: [FakeResource] = [.podAutoscalers, .serverlessServices]
    /// The resources with a `/scale` subresource.
    public static let scalable: [FakeResource] = [.deployments, .leaderWorkerSets]
}

/// A parsed request path: `/api/v1/namespaces/{ns}/{plural}[/{name}[/{subresource}]]` or the `/apis/{group}/…` form.
struct FakeRoute: Equatable {
    var resource: FakeResource
    var namespace: String
    var name: String?
    var subresource: String?

    static func parse(path: String) -> FakeRoute? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        var index: Int
        let group: String
        let version: String
        if parts.first == "api", parts.count >= 2 {
            group = ""
            version = parts[1]
            index = 2
        } else if parts.first == "apis", parts.count >= 3 {
            group = parts[1]
            version = parts[2]
            index = 3
        } else {
            return nil
        }
        guard parts.count > index + 2, parts[index] == "namespaces" else { return nil }
        let namespace = parts[index + 1]
        index += 2
        guard let resource = FakeResource.all.first(where: { $0.group == group && $0.version == version && $0.plural == parts[index] })
        else { return nil }
        let rest = Array(parts[(index + 1)...])
        guard rest.count <= 2 else { return nil }
        return FakeRoute(resource: resource, namespace: namespace, name: rest.first, subresource: rest.count == 2 ? rest[1] : nil)
    }
}
