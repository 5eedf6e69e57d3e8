import AutoscalerCore

/// The `controller.kubernetes.io/pod-deletion-cost` of each pod before a scale-down, so the ReplicaSet
/// controller removes the pods with the least work in flight. The ReplicaSet controller deletes pods that are
/// not ready before ready ones whatever their cost, then the lowest cost first (Kubernetes
/// `pkg/controller/controller_utils.go` `ActivePodsWithRanks`; the annotation is documented under ReplicaSet).
/// Pure, so the ranking is a unit test.
public enum PodDeletionCost {
    /// The annotation the ReplicaSet controller reads (an int32; default 0).
    public static let annotation = "controller.kubernetes.io/pod-deletion-cost"

    /// Costs for `pods`: a pod still starting −1 (lowest of all); a ready pod its requests in flight, rounded;
    /// a ready pod whose load is unknown (its scrape failed) the highest known cost, since it may be busy.
    public static func costs(pods: [PodInfo], inFlight: [String: Double]) -> [String: Int32] {
        let known = pods.filter(\.ready).compactMap { inFlight[$0.name] }
        let busiest = known.map { clampedCost($0) }.max() ?? 0
        var result: [String: Int32] = [:]
        for pod in pods {
            if !pod.ready {
                result[pod.name] = -1
            } else if let work = inFlight[pod.name] {
                result[pod.name] = clampedCost(work)
            } else {
                result[pod.name] = busiest
            }
        }
        return result
    }

    static func clampedCost(_ work: Double) -> Int32 {
        guard work.isFinite, work > 0 else { return 0 }
        return Int32(min(work.rounded(), Double(Int32.max - 1)))
    }
}
