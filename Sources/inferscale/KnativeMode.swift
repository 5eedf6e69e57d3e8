import Kubernetes
import Logging

/// Whether `inferscale run` is a Knative PodAutoscaler class: what `--knative`/`--no-knative` say, else whether
/// the cluster serves Knative Serving's PodAutoscaler resource (API discovery), so a Knative cluster needs no flag
/// and any other one does not pay for PodAutoscaler lists that would all answer 404.
enum KnativeMode {
    /// Attempts at discovery before giving up on a server that fails (not on a 404, which is an answer).
    static let attempts = 3

    static func decide(flag: Bool?, api: any KubernetesAPI, logger: Logger,
                       pause: @Sendable (Int) async -> Void = { attempt in try? await Task.sleep(for: .seconds(attempt)) }) async -> Bool {
        if let flag {
            logger.info("Knative mode \(flag ? "on" : "off") (\(flag ? "--knative" : "--no-knative"))")
            return flag
        }
        for attempt in 1...attempts {
            do {
                let served = try await api.servesResource(group: "autoscaling.internal.knative.dev", version: "v1alpha1", resource: "podautoscalers")
                if served {
                    logger.info("Knative mode on: the cluster serves autoscaling.internal.knative.dev/v1alpha1 podautoscalers (--no-knative turns it off)")
                } else {
                    logger.info("Knative mode off: the cluster does not serve autoscaling.internal.knative.dev/v1alpha1 podautoscalers (Knative Serving is not installed; --knative turns it on)")
                }
                return served
            } catch {
                if attempt == attempts {
                    logger.warning("Knative mode off: API discovery failed \(attempts) times (\(error)); restart with --knative if Knative Serving is installed")
                    return false
                }
                await pause(attempt)
            }
        }
        return false
    }
}
