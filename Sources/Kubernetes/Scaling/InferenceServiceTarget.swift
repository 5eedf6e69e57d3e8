/// An InferenceService predictor resolved to the Deployment that runs it, with KServe's scaling fields.
public struct InferenceServiceTarget: Sendable, Equatable {
    /// Namespace of the InferenceService and its Deployment.
    public var namespace: String
    /// InferenceService name.
    public var name: String
    /// KServe deployment mode from the annotation (`RawDeployment`, `Serverless`, …); nil when absent.
    public var deploymentMode: String?
    /// The predictor Deployment's name, or nil when none was found (e.g. Serverless mode, or not yet created).
    public var deploymentName: String?
    /// The predictor's Scale when the Deployment was found.
    public var scale: Scale?
    /// The predictor's scaling fields (minReplicas, maxReplicas, scaleMetric, scaleTarget, containerConcurrency).
    public var predictor: PredictorSpec
    /// The InferenceService's annotations (autoscaler class, Knative-style autoscaling settings).
    public var annotations: [String: String]

    /// Resolves every InferenceService in `namespace`: its predictor Deployment is `<isvc>-predictor` (KServe 0.9
    /// and later) or, failing that, `<isvc>-predictor-default` (earlier releases). A missing Deployment leaves
    /// `deploymentName` nil; other errors (403, 5xx) are thrown.
    public static func discover(api: any KubernetesAPI, namespace: String) async throws -> [InferenceServiceTarget] {
        let services = try await api.listInferenceServices(namespace: namespace)
        var targets: [InferenceServiceTarget] = []
        for service in services.items {
            guard let name = service.metadata.name else { continue }
            var target = InferenceServiceTarget(
                namespace: namespace, name: name, deploymentMode: service.deploymentMode, deploymentName: nil, scale: nil,
                predictor: service.spec?.predictor ?? PredictorSpec(), annotations: service.metadata.annotations ?? [:])
            for candidate in ["\(name)-predictor", "\(name)-predictor-default"] {
                do {
                    target.scale = try await api.getScale(namespace: namespace, deployment: candidate)
                    target.deploymentName = candidate
                    break
                } catch let error as KubernetesError where error.code == .notFound {
                    continue
                }
            }
            targets.append(target)
        }
        return targets
    }
}
