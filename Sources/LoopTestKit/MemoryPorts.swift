// In-memory implementations of the control loop's ports, for tests that need no network.
import AutoscalerCore
import Rules
import Scaling

/// Targets and pods held in memory; tests change them between ticks.
public actor MemoryDiscovery: TargetDiscovery {
    public private(set) var current: [DiscoveredTarget]
    var failNext = 0
    public init(_ targets: [DiscoveredTarget]) { current = targets }
    public func targets() async throws -> [DiscoveredTarget] {
        if failNext > 0 {
            failNext -= 1
            throw FakeError.down
        }
        return current
    }
    public func set(_ targets: [DiscoveredTarget]) { current = targets }
    public func setReplicas(_ key: String, ready: Int, at time: Timestamp) {
        guard let i = current.firstIndex(where: { $0.key == key }) else { return }
        current[i].replicas = ready
        current[i].pods = (0..<ready).map { PodInfo(name: "\(key)-\($0)", ip: "10.0.0.\($0)", ready: true, readySince: time) }
    }
    public func failDiscovery(times: Int) { failNext = times }
    public func setRequested(_ key: String, _ replicas: Int) {
        guard let i = current.firstIndex(where: { $0.key == key }) else { return }
        current[i].replicas = replicas
    }
}

/// Signals per target, set by the test (revision totals).
public actor MemorySource: MetricSource {
    public init() {}
    var load: [String: SignalSample] = [:]
    public func set(_ key: String, _ sample: SignalSample) { load[key] = sample }
    public func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        CollectedSignals(sample: load[target.key] ?? SignalSample(), podsScraped: target.pods.count)
    }
}

/// Records every scale call; can fail the next N.
public actor RecordingActuator: ScaleActuator {
    public private(set) var calls: [(target: String, replicas: Int)] = []
    var failNext = 0
    /// Like the API server: a successful scale shows up in discovery's replicas.
    let discovery: MemoryDiscovery?
    public init(discovery: MemoryDiscovery? = nil) { self.discovery = discovery }
    public func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        if failNext > 0 {
            failNext -= 1
            throw FakeError.down
        }
        calls.append((target.key, replicas))
        await discovery?.setRequested(target.key, replicas)
    }
    public func failing(_ n: Int) { failNext = n }
    public var replicas: [Int] { calls.map(\.replicas) }
}

/// A leadership that never leads.
public struct Follower: Leadership {
    public init() {}
    public var isLeader: Bool { false }
}

/// The failure the memory ports throw.
public enum FakeError: Error { case down }

/// A target `namespace/name` with `ready` ready pods.
public func target(_ name: String, ready: Int, namespace: String = "llm") -> DiscoveredTarget {
    DiscoveredTarget(
        description: TargetDescription(namespace: namespace, deployment: name),
        pods: (0..<ready).map { PodInfo(name: "\(name)-\($0)", ip: "10.0.0.\($0)", ready: true, readySince: Timestamp(seconds: 0)) },
        replicas: ready)
}
