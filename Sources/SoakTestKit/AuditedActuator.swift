import AutoscalerCore
import Kubernetes
import Rules
import Scaling

/// The real actuator with every call written to a `ScaleCallLog` first: which replica, whether it led, the
/// replicas asked for, and how it ended.
struct AuditedActuator: ScaleActuator {
    let inner: any ScaleActuator
    let instance: String
    let leadership: any Leadership
    let log: ScaleCallLog

    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        let index = log.begin(.init(instance: instance, target: target.key, replicas: replicas, leader: await leadership.isLeader,
                                    began: .now))
        do {
            try await inner.scale(target, to: replicas, reason: reason)
            log.end(index, succeeded: true)
        } catch {
            log.end(index, succeeded: false)
            throw error
        }
    }
}
