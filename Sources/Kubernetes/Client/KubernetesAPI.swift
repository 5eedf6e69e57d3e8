/// The Kubernetes API surface inferscale's control loop uses. `KubernetesClient` implements it over HTTP; tests
/// point that client at `FakeKubernetesAPIServer`, or substitute an in-memory implementation.
///
/// Every method throws `KubernetesError` for API and transport failures.
public protocol KubernetesAPI: Sendable {
    /// Lists the pods in `namespace` that match `labelSelector` (e.g. `app=web,tier!=canary`; nil for all).
    /// The list's `metadata.resourceVersion` is where a watch resumes.
    func listPods(namespace: String, labelSelector: String?) async throws -> ObjectList<Pod>

    /// Watches pods from `resourceVersion` (exclusive), with bookmarks allowed. The stream ends when the server
    /// ends the watch, and throws when the connection fails. An expired resourceVersion arrives either as an
    /// `ERROR` event with code 410 or as a thrown `KubernetesError` with code `.gone`.
    func watchPods(
        namespace: String, labelSelector: String?, resourceVersion: String
    ) async throws -> AsyncThrowingStream<WatchEvent<Pod>, any Error>

    /// Reads the `/scale` subresource of the workload `name` of `kind` (a Deployment or a LeaderWorkerSet).
    func getScale(namespace: String, kind: ScaleTargetKind, name: String) async throws -> Scale

    /// Merge-patches `spec.replicas` of the workload's `/scale`. With a `resourceVersion` the write is
    /// conditional and fails with `.conflict` (409) when the workload changed since; nil means last writer wins.
    func patchScale(namespace: String, kind: ScaleTargetKind, name: String, replicas: Int, resourceVersion: String?) async throws -> Scale

    /// Lists the apps/v1 Deployments in `namespace`; the list's resourceVersion is where a watch resumes.
    func listDeployments(namespace: String) async throws -> ObjectList<Deployment>

    /// Watches the Deployments in `namespace` from `resourceVersion`, as `watchPods` does for pods.
    func watchDeployments(namespace: String, resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Deployment>, any Error>

    /// Reads an apps/v1 Deployment (its metadata: annotations, labels).
    func getDeployment(namespace: String, name: String) async throws -> Deployment

    /// Lists the autoscaling/v2 HorizontalPodAutoscalers in `namespace`.
    func listHorizontalPodAutoscalers(namespace: String) async throws -> ObjectList<AutoscalerObject>

    /// Lists the KEDA ScaledObjects (keda.sh/v1alpha1) in `namespace`; `.notFound` when KEDA's CRD is not installed.
    func listScaledObjects(namespace: String) async throws -> ObjectList<AutoscalerObject>

    /// Merge-patches a pod's annotations (a nil value removes the key).
    func patchPodAnnotations(namespace: String, name: String, annotations: [String: String?]) async throws

    /// Lists the KServe LLMInferenceServices (serving.kserve.io/v1alpha1) in `namespace`; `.notFound` when the CRD
    /// is not installed.
    func listLLMInferenceServices(namespace: String) async throws -> ObjectList<LLMInferenceService>

    /// Lists the KServe InferenceServices (serving.kserve.io/v1beta1) in `namespace`.
    func listInferenceServices(namespace: String) async throws -> ObjectList<InferenceService>

    /// Reads a coordination.k8s.io/v1 Lease; `.notFound` when it does not exist.
    func getLease(namespace: String, name: String) async throws -> Lease

    /// Creates a Lease (`metadata.namespace` and `metadata.name` must be set); `.alreadyExists` when it exists.
    func createLease(_ lease: Lease) async throws -> Lease

    /// Replaces a Lease. `metadata.resourceVersion` must be set (the server refuses unconditional Lease
    /// updates with 422); `.conflict` when it is stale.
    func updateLease(_ lease: Lease) async throws -> Lease

    /// Creates a core/v1 Event in `event.metadata.namespace`.
    func createEvent(_ event: KubernetesEvent) async throws -> KubernetesEvent

    /// Lists Knative PodAutoscalers (autoscaling.internal.knative.dev/v1alpha1) in `namespace`; `.notFound` when
    /// Knative Serving is not installed.
    func listPodAutoscalers(namespace: String) async throws -> ObjectList<PodAutoscaler>

    /// Replaces a PodAutoscaler's status through its `/status` subresource (spec and metadata are not written).
    /// `metadata.resourceVersion` guards the write: `.conflict` when the PA changed since it was read.
    func updatePodAutoscalerStatus(_ podAutoscaler: PodAutoscaler) async throws -> PodAutoscaler

    /// Reads a Knative ServerlessService (networking.internal.knative.dev/v1alpha1); `.notFound` when absent.
    func getServerlessService(namespace: String, name: String) async throws -> ServerlessService

    /// Creates a ServerlessService; `.alreadyExists` when one of that name exists.
    func createServerlessService(_ service: ServerlessService) async throws -> ServerlessService

    /// Replaces a ServerlessService's spec and metadata (`metadata.resourceVersion` guards it: `.conflict`).
    func updateServerlessService(_ service: ServerlessService) async throws -> ServerlessService

    /// Lists the ConfigMap `name` in `namespace` (zero or one item) through `fieldSelector=metadata.name=…`, so a
    /// Role limited to that name (`resourceNames`) allows it; the list's resourceVersion is where a watch resumes.
    func listConfigMaps(namespace: String, name: String) async throws -> ObjectList<ConfigMap>

    /// Watches the ConfigMap `name` in `namespace` from `resourceVersion`, as `watchPods` does for pods.
    func watchConfigMaps(namespace: String, name: String, resourceVersion: String) async throws
        -> AsyncThrowingStream<WatchEvent<ConfigMap>, any Error>

    /// Whether the API server serves `resource` (plural) in `group`/`version`, from the discovery document
    /// `GET /apis/{group}/{version}`: false when the group version is not installed (404). Discovery needs no
    /// Role: Kubernetes' `system:discovery` ClusterRole grants it to every authenticated user.
    func servesResource(group: String, version: String, resource: String) async throws -> Bool
}

extension KubernetesAPI {
    /// Reads the `/scale` subresource of the apps/v1 Deployment `deployment`.
    public func getScale(namespace: String, deployment: String) async throws -> Scale {
        try await getScale(namespace: namespace, kind: .deployment, name: deployment)
    }

    /// Merge-patches `spec.replicas` of the Deployment's `/scale` (see the general form).
    public func patchScale(namespace: String, deployment: String, replicas: Int, resourceVersion: String?) async throws -> Scale {
        try await patchScale(namespace: namespace, kind: .deployment, name: deployment, replicas: replicas, resourceVersion: resourceVersion)
    }
}
