import Autoscaler
import Logging
import NIOConcurrencyHelpers
import Rules
import Scaling

/// Targets and pods held in memory; tests change them between ticks.
actor MemoryDiscovery: TargetDiscovery {
    var current: [DiscoveredTarget]
    var failNext = 0
    init(_ targets: [DiscoveredTarget]) { current = targets }
    func targets() async throws -> [DiscoveredTarget] {
        if failNext > 0 {
            failNext -= 1
            throw FakeError.down
        }
        return current
    }
    func set(_ targets: [DiscoveredTarget]) { current = targets }
    func setReplicas(_ key: String, ready: Int, at time: Timestamp) {
        guard let i = current.firstIndex(where: { $0.key == key }) else { return }
        current[i].replicas = ready
        current[i].pods = (0..<ready).map { PodInfo(name: "\(key)-\($0)", ip: "10.0.0.\($0)", ready: true, readySince: time) }
    }
    func failDiscovery(times: Int) { failNext = times }
    func setRequested(_ key: String, _ replicas: Int) {
        guard let i = current.firstIndex(where: { $0.key == key }) else { return }
        current[i].replicas = replicas
    }
}

/// Signals per target, set by the test (revision totals).
actor MemorySource: MetricSource {
    var load: [String: SignalSample] = [:]
    func set(_ key: String, _ sample: SignalSample) { load[key] = sample }
    func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        CollectedSignals(sample: load[target.key] ?? SignalSample(), podsScraped: target.pods.count)
    }
}

/// Records every scale call; can fail the next N.
actor RecordingActuator: ScaleActuator {
    var calls: [(target: String, replicas: Int)] = []
    var failNext = 0
    /// Like the API server: a successful scale shows up in discovery's replicas.
    let discovery: MemoryDiscovery?
    init(discovery: MemoryDiscovery? = nil) { self.discovery = discovery }
    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        if failNext > 0 {
            failNext -= 1
            throw FakeError.down
        }
        calls.append((target.key, replicas))
        await discovery?.setRequested(target.key, replicas)
    }
    func failing(_ n: Int) { failNext = n }
    var replicas: [Int] { calls.map(\.replicas) }
}

struct Follower: Leadership { var isLeader: Bool { false } }

enum FakeError: Error { case down }

func target(_ name: String, ready: Int, namespace: String = "llm") -> DiscoveredTarget {
    DiscoveredTarget(
        description: TargetDescription(namespace: namespace, deployment: name),
        pods: (0..<ready).map { PodInfo(name: "\(name)-\($0)", ip: "10.0.0.\($0)", ready: true, readySince: Timestamp(seconds: 0)) },
        replicas: ready)
}

/// Collects the messages logged through `logger`, for tests of what is logged how often.
final class LogRecorder: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var messages: [String] { lines.withLockedValue { $0 } }
    var logger: Logger { Logger(label: "test") { _ in Handler(recorder: self) } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            recorder.lines.withLockedValue { $0.append(event.message.description) }
        }
    }
}
