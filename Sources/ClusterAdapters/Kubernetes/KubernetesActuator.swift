import AutoscalerCore
import Kubernetes
import Logging
import Rules

/// Sets replicas through the scale subresource (retrying conflicts with a fresh read) and
/// records a Kubernetes Event on the Deployment with the decision's reason.
public struct KubernetesActuator: ScaleActuator {
    private let api: any KubernetesAPI
    private let updater: ScaleUpdater
    private let events: ScalingEventRecorder
    private let discovery: KubernetesDiscovery
    private let book: PodWorkBook?
    private let logger: Logger

    /// With `book` (the scraping source's), a scale-down first marks the idlest pods for deletion.
    public init(api: any KubernetesAPI, discovery: KubernetesDiscovery, instance: String?, book: PodWorkBook? = nil,
                logger: Logger = Logger(label: "inferscale.actuator")) {
        self.api = api
        updater = ScaleUpdater(api: api)
        events = ScalingEventRecorder(api: api, instance: instance)
        self.discovery = discovery
        self.book = book
        self.logger = logger
    }

    /// Writes each pod's `controller.kubernetes.io/pod-deletion-cost` (only where it changed) so the ReplicaSet
    /// controller removes the pods with the least work in flight. A failure is logged; the scale-down proceeds.
    private func markIdlestPods(_ target: TargetDescription, pods: [PodInfo], book: PodWorkBook) async {
        let costs = PodDeletionCost.costs(pods: pods, inFlight: await book.inFlight(of: target.key))
        for (pod, cost) in costs.sorted(by: { $0.key < $1.key }) {
            let key = "\(target.namespace)/\(pod)"
            guard await book.needsWrite(key, cost) else { continue }
            do {
                try await api.patchPodAnnotations(namespace: target.namespace, name: pod, annotations: [PodDeletionCost.annotation: "\(cost)"])
                await book.wrote(key, cost)
            } catch {
                logger.warning("could not mark a pod's deletion cost; the scale-down goes on without it",
                               metadata: ["inferscale.target": "\(target.key)", "inferscale.pod": "\(pod)", "inferscale.error": "\(error)"])
                return
            }
        }
    }

    public func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        // The loop acts on the last tick's view; the verdict is checked again right before the write.
        if case .skipped(let why)? = await discovery.mayPatch(target.key) {
            throw NotOwned(target: target.key, reason: why)
        }
        let kind = ScaleTargetKind(rawValue: target.kind) ?? .deployment
        if let book, kind == .deployment, let current = await discovery.pods(of: target.key), replicas < current.replicas {
            await markIdlestPods(target, pods: current.pods, book: book)
        }
        await discovery.expectReplicas(target.key, replicas)
        // On failure the pending value stays: a write whose answer timed out may still have been applied, and its
        // watch event must not count as another writer's (the soak found exactly that). The next write replaces it.
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
