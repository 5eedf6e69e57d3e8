import AutoscalerCore
import Kubernetes

/// Who owns an InferenceService's replicas under KServe's contract, and the operator's pause annotations.
///
/// KServe (v0.15.1 and later) hands the predictor's `spec.replicas` to a third party only for the autoscaler
/// class `external`: for `hpa` (the default, also when no class is set) it keeps an HPA `<isvc>-predictor` on
/// the Deployment, for `keda` a ScaledObject of that name, and for `none` it sets `spec.replicas` to
/// `minReplicas` on every reconcile (KServe `pkg/constants/constants.go` `AutoscalerAllowedClassList`;
/// `pkg/controller/v1beta1/inferenceservice/reconcilers/deployment/deployment_reconciler.go`;
/// `reconcilers/hpa/hpa_reconciler.go`). Pure: no I/O, so every case is a unit test.
public enum KServeOwnership {
    /// `inferscale.dev/paused: "true"`: stop every patch to the object (decisions are still computed).
    public static let pausedAnnotation = "inferscale.dev/paused"
    /// `inferscale.dev/paused-replicas: "N"`: hold the object at N replicas (implies paused).
    public static let pausedReplicasAnnotation = "inferscale.dev/paused-replicas"
    /// KServe's autoscaler classes (the webhook refuses any other value).
    public static let knownClasses: Set<String> = ["hpa", "keda", "external", "none"]

    /// The verdict for an InferenceService: owned (class `external`), paused, or skipped with the reason and
    /// what to do. Knative-mode predictors are left to the PodAutoscaler contract, and multi-node ones (a
    /// worker spec) to KServe, which pins them.
    public static func control(of isvc: InferenceService) -> TargetControl {
        let name = "\(isvc.metadata.namespace ?? "")/\(isvc.metadata.name ?? "")"
        let annotations = isvc.metadata.annotations ?? [:]
        if annotations[InferenceService.stopAnnotation]?.lowercased() == "true" {
            return .skipped(reason: "stopped (serving.kserve.io/stop: \"true\"): KServe removed its Deployment; nothing to scale")
        }
        if let mode = isvc.deploymentMode, ["serverless", "knative", "modelmesh"].contains(mode.lowercased()) {
            if mode.lowercased() != "modelmesh" {
                if isvc.metadata.annotations?["autoscaling.knative.dev/class"] == "inferscale.dev" {
                    return .skipped(reason: "runs in KServe's \(mode) mode with autoscaling.knative.dev/class: inferscale.dev: inferscale scales its revisions through their PodAutoscalers (with --knative), not here")
                }
                return .skipped(reason: "runs in KServe's \(mode) mode: its replicas are decided by its revisions' PodAutoscalers, not through a predictor Deployment; to have inferscale scale it, annotate the InferenceService autoscaling.knative.dev/class: inferscale.dev and run inferscale with --knative (docs/knative.md)")
            }
            return .skipped(reason: "runs in KServe's \(mode) mode: its replicas are decided by ModelMesh, not through the predictor Deployment; inferscale scales Standard (RawDeployment) predictors")
        }
        if isvc.spec?.predictor?.workerSpec != nil {
            return .skipped(reason: "multi-node (predictor.workerSpec): KServe requires autoscalerClass none and pins its replicas; inferscale does not scale multi-node predictors")
        }
        switch isvc.autoscalerClass {
        case nil:
            return .skipped(reason: "no serving.kserve.io/autoscalerClass, so KServe's default hpa applies and its HPA \(isvc.metadata.name ?? "")-predictor owns the replicas; set serving.kserve.io/autoscalerClass: external to hand them to inferscale")
        case "hpa"?:
            return .skipped(reason: "autoscalerClass hpa — KServe's HPA \(isvc.metadata.name ?? "")-predictor owns the replicas; set serving.kserve.io/autoscalerClass: external")
        case "keda"?:
            return .skipped(reason: "autoscalerClass keda — KServe's ScaledObject \(isvc.metadata.name ?? "")-predictor owns the replicas; set serving.kserve.io/autoscalerClass: external")
        case "none"?:
            return .skipped(reason: "autoscalerClass none — KServe sets spec.replicas to minReplicas on every reconcile and would revert each patch; set serving.kserve.io/autoscalerClass: external")
        case "external"?:
            return pauseControl(annotations, object: name)
        case let other?:
            return .skipped(reason: "unknown autoscalerClass \"\(other)\" (KServe accepts hpa, keda, external, none); inferscale scales only external")
        }
    }

    /// `owned`, or `paused` from the operator's annotations on any object inferscale scales (InferenceService,
    /// LLMInferenceService, Deployment). A malformed pause is treated as hands off, with the reason.
    public static func pauseControl(_ annotations: [String: String], object: String) -> TargetControl {
        let paused = annotations[pausedAnnotation]
        let replicas = annotations[pausedReplicasAnnotation]
        if let replicas {
            guard let n = Int(replicas.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                return .skipped(reason: "\(object): \(pausedReplicasAnnotation) \"\(replicas)\" is not a replica count (a whole number ≥ 0); left alone until it is fixed")
            }
            if paused?.lowercased() == "false" { return .owned }
            return .paused(holdAt: n)
        }
        switch paused?.lowercased() {
        case nil, "false"?: return .owned
        case "true"?: return .paused(holdAt: nil)
        case let other?:
            return .skipped(reason: "\(object): \(pausedAnnotation) \"\(other)\" is neither \"true\" nor \"false\"; left alone until it is fixed")
        }
    }

    /// The autoscaler objects (HPAs, ScaledObjects) that write `workload`'s replicas: any whose scaleTargetRef
    /// names it (KEDA defaults the kind to Deployment when absent).
    public static func conflicts(for workload: String, kind: ScaleTargetKind, among objects: [(kind: String, object: AutoscalerObject)]) -> [String] {
        objects.compactMap { entry in
            guard let ref = entry.object.spec?.scaleTargetRef, ref.name == workload, (ref.kind ?? "Deployment") == kind.rawValue else { return nil }
            return "\(entry.kind) \(entry.object.metadata.name ?? "?")"
        }
    }
}
