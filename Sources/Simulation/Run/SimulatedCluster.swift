import AutoscalerCore
import Rules
import Scaling
import Synchronization

/// The control loop's ports, answered from the cluster model on the simulated clock: the
/// loop discovers pods, collects signals and sets replicas exactly as it does in a cluster.
/// The runner fills in what the models show before each tick and applies the scale calls
/// after it.
final class SimulatedCluster: TargetDiscovery, MetricSource, ScaleActuator {
    struct Snapshot {
        var targets: [DiscoveredTarget] = []
        var samples: [String: SignalSample] = [:]
        var requested: [String: Int] = [:]
    }

    private let state = Mutex(Snapshot())

    func publish(targets: [DiscoveredTarget], samples: [String: SignalSample]) {
        state.withLock {
            $0.targets = targets
            $0.samples = samples
        }
    }

    /// Replicas the loop set since the last call, by target key.
    func takeRequested() -> [String: Int] {
        state.withLock { snapshot in
            defer { snapshot.requested = [:] }
            return snapshot.requested
        }
    }

    func targets() async throws -> [DiscoveredTarget] { state.withLock { $0.targets } }

    func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        let sample = state.withLock { $0.samples[target.key] } ?? SignalSample()
        let ready = target.pods.filter(\.ready).count
        return CollectedSignals(sample: sample, podsScraped: ready)
    }

    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        // The runner starts or stops replicas after the tick and publishes the new count.
        state.withLock { $0.requested[target.key] = replicas }
    }
}
