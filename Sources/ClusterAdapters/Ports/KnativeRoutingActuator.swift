import AutoscalerCore
import Rules

/// Sends a Knative revision's scale to the PodAutoscaler adapter (which keeps the activator-in-path rule) and
/// every other target's to the Kubernetes actuator.
public struct KnativeRoutingActuator: ScaleActuator {
    private let knative: KnativePodAutoscalers
    private let other: any ScaleActuator

    /// Routes between `knative` and `other`.
    public init(knative: KnativePodAutoscalers, other: any ScaleActuator) {
        self.knative = knative
        self.other = other
    }

    public func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        if await knative.owns(target.key) {
            try await knative.scale(target, to: replicas, reason: reason)
        } else {
            try await other.scale(target, to: replicas, reason: reason)
        }
    }
}
