import AutoscalerCore
import Kubernetes
import Logging
import Rules

/// Sets replicas through the scale subresource (retrying conflicts with a fresh read) and
/// records a Kubernetes Event on the Deployment with the decision's reason.
public struct KubernetesActuator: ScaleActuator {
    private let updater: ScaleUpdater
    private let events: ScalingEventRecorder
    private let discovery: KubernetesDiscovery
    private let logger: Logger

    public init(api: any KubernetesAPI, discovery: KubernetesDiscovery, instance: String?, logger: Logger = Logger(label: "inferscale.actuator")) {
        updater = ScaleUpdater(api: api)
        events = ScalingEventRecorder(api: api, instance: instance)
        self.discovery = discovery
        self.logger = logger
    }

    public func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        // The loop acts on the last tick's view; the verdict is checked again right before the write.
        if case .skipped(let why)? = await discovery.mayPatch(target.key) {
            throw NotOwned(target: target.key, reason: why)
        }
        let kind = ScaleTargetKind(rawValue: target.kind) ?? .deployment
        let result = try await updater.setReplicas(namespace: target.namespace, deployment: target.deployment, kind: kind, replicas: replicas)
        await discovery.noteReplicas(target.key, replicas)
        guard result.changed else { return }
        do {
            _ = try await events.recordScaled(namespace: target.namespace, deployment: target.deployment,
                                              uid: result.scale.metadata.uid, from: result.previousReplicas, to: replicas, reason: reason)
        } catch {
            // The scale happened; a lost Event is only logged.
            logger.warning("could not record the scaling Event", metadata: ["inferscale.target": "\(target.key)", "inferscale.error": "\(error)"])
        }
    }
}

/// A patch refused because the target is no longer inferscale's to scale.
public struct NotOwned: Error, CustomStringConvertible {
    /// The target's key.
    public var target: String
    /// Why it is not inferscale's.
    public var reason: String
    public var description: String { "not scaling \(target): \(reason)" }
}

extension LeaderElector: Leadership {}
