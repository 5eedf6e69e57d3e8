import Kubernetes

/// The workloads of an LLMInferenceService that inferscale may scale, each its own target with a role.
///
/// KServe names them (`pkg/controller/v1alpha1/llmisvc/workload*.go`, KServe v0.17–v0.18): a Deployment
/// `<name>-kserve` (role `decode`, or `both` without disaggregation) and, with `spec.prefill`, a Deployment
/// `<name>-kserve-prefill`; with `spec.worker`, LeaderWorkerSets `<name>-kserve-mn` and `<name>-kserve-mn-prefill`.
/// From v0.17 KServe keeps the live replica count only while `replicas` and `scaling` are both unset
/// (kserve#4996 `PreserveDeploymentReplicas`); with either set, KServe (or its WVA autoscaler) owns the count.
public enum LLMInferenceServiceWorkloads {
    /// One scalable workload.
    public struct Workload: Sendable, Equatable {
        /// The Deployment's or LeaderWorkerSet's name.
        public var name: String
        /// Its kind.
        public var kind: ScaleTargetKind
        /// `prefill`, `decode` or `both`.
        public var role: String
        /// Why inferscale must not scale it; nil when it may.
        public var skipReason: String?
    }

    /// Every workload of `llm`, with a skip reason where KServe owns the count.
    public static func workloads(of llm: LLMInferenceService) -> [Workload] {
        let name = llm.metadata.name ?? ""
        let spec = llm.spec ?? LLMInferenceServiceSpec()
        let multiNode = spec.worker != nil
        let base = multiNode ? "\(name)-kserve-mn" : "\(name)-kserve"
        let kind: ScaleTargetKind = multiNode ? .leaderWorkerSet : .deployment
        func reason(replicas: Int?, scaling: Present?, field: String) -> String? {
            if let replicas {
                return "\(field).replicas is set (\(replicas)): KServe enforces that count; unset it to hand the replicas to inferscale"
            }
            if scaling != nil {
                return "\(field).scaling is set: KServe's own autoscaler (WVA with an HPA or KEDA) owns the replicas; remove it to hand them to inferscale"
            }
            return nil
        }
        var result = [Workload(name: base, kind: kind, role: spec.prefill == nil ? "both" : "decode",
                               skipReason: reason(replicas: spec.replicas, scaling: spec.scaling, field: "spec"))]
        if let prefill = spec.prefill {
            let prefillMultiNode = prefill.worker != nil || multiNode
            result.append(Workload(
                name: prefillMultiNode ? "\(name)-kserve-mn-prefill" : "\(name)-kserve-prefill",
                kind: prefillMultiNode ? .leaderWorkerSet : .deployment, role: "prefill",
                skipReason: reason(replicas: prefill.replicas, scaling: prefill.scaling, field: "spec.prefill")))
        }
        return result
    }
}
