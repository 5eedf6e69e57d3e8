import Rules
import Scaling

/// A pod of a target, as discovery sees it.
public struct PodInfo: Sendable, Equatable {
    public var name: String
    /// Pod IP, for scraping.
    public var ip: String
    /// Running, Ready and not terminating.
    public var ready: Bool
    /// When the pod last became ready, if it is.
    public var readySince: Timestamp?
    /// When the pod object was created (`metadata.creationTimestamp`), if known: with
    /// `readySince`, its cold start.
    public var createdAt: Timestamp?

    public init(name: String, ip: String, ready: Bool, readySince: Timestamp? = nil, createdAt: Timestamp? = nil) {
        self.name = name
        self.ip = ip
        self.ready = ready
        self.readySince = readySince
        self.createdAt = createdAt
    }
}

/// A target and its pods at one moment.
public struct DiscoveredTarget: Sendable, Equatable {
    public var description: TargetDescription
    public var pods: [PodInfo]
    /// Replicas requested on the scale subresource.
    public var replicas: Int
    /// Whether inferscale may write the replicas.
    public var control: TargetControl

    public init(description: TargetDescription, pods: [PodInfo], replicas: Int, control: TargetControl = .owned) {
        self.description = description
        self.pods = pods
        self.replicas = replicas
        self.control = control
    }

    public var key: String { description.key }
}

/// Finds the targets to scale and their pods (the cluster: a Kubernetes watch; tests and
/// replays: memory).
public protocol TargetDiscovery: Sendable {
    func targets() async throws -> [DiscoveredTarget]
}

/// The signals of a target's pods at one moment.
public struct CollectedSignals: Sendable, Equatable {
    /// Revision totals and pod means; a signal nobody reported is nil.
    public var sample: SignalSample
    /// Pods asked, and pods whose scrape failed (their part is missing, never zero).
    public var podsScraped: Int
    public var podsFailed: Int
    /// Why scrapes failed (timeout, connect, status, too-large, malformed, …), one per failure.
    public var failureReasons: [String]
    /// The first failure in words (reason, URL, detail), for the log.
    public var firstFailure: String?
    /// GPU memory per ready pod from node exporters (the GPU agent, dcgm-exporter), when any names the
    /// target's pods: the GPU-memory guard and decision records read it.
    public var gpuMemory: GPUMemoryFigures?

    public init(sample: SignalSample, podsScraped: Int = 0, podsFailed: Int = 0, failureReasons: [String] = [],
                firstFailure: String? = nil, gpuMemory: GPUMemoryFigures? = nil) {
        self.sample = sample
        self.podsScraped = podsScraped
        self.podsFailed = podsFailed
        self.failureReasons = failureReasons
        self.firstFailure = firstFailure
        self.gpuMemory = gpuMemory
    }
}

/// Reads the signals of a target's ready pods.
public protocol MetricSource: Sendable {
    func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals
}

/// Sets a target's replicas (the cluster: PATCH of the scale subresource).
public protocol ScaleActuator: Sendable {
    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws
}

/// Whether this instance may act (leader election); followers decide but do not patch.
public protocol Leadership: Sendable {
    var isLeader: Bool { get async }
    /// Whether this instance may patch target `key` (`namespace/name`) while `isLeader`: with sharding, only
    /// the targets of the shards it holds. Asked at the moment of each patch.
    func leads(_ key: String) -> Bool
}

extension Leadership {
    /// One leader acts on every target.
    public func leads(_ key: String) -> Bool { true }
}

/// Always the leader: a single instance, tests, `--dry-run`.
public struct SoleLeader: Leadership {
    public init() {}
    public var isLeader: Bool { true }
}
