/// When the agent asks the kubelet for the GPU-to-pod mapping again, and what it logs: the mapping is
/// refreshed at most once per ``refreshInterval`` (failed tries included, so a missing socket is retried at
/// that pace and its appearance is noticed within one interval); the log gets one line per change of
/// condition (first failure, a different failure, recovery), not one per scrape.
///
/// Pure: events in, actions out; ``GPUPodMapper`` performs them.
public struct PodResourcesStateMachine: Sendable {
    /// The mapping's condition.
    public enum Condition: Sendable, Equatable {
        /// Never asked.
        case unknown
        /// The last call succeeded.
        case up
        /// The last call failed with this error.
        case down(PodResourcesError)
    }

    /// What to do when a mapping is wanted.
    public enum RefreshAction: Sendable, Equatable {
        /// Call the kubelet, then report ``refreshSucceeded()`` or ``refreshFailed(_:)``.
        case refresh
        /// Serve the last result again (mapping or error): it is younger than the interval.
        case useLast
    }

    /// What to log after an event.
    public enum LogAction: Sendable, Equatable {
        /// Nothing changed worth a line.
        case none
        /// The mapping became unavailable, or fails differently than before: one error line.
        case logUnavailable(PodResourcesError)
        /// The mapping works again after failing (or for the first time).
        case logAvailable
    }

    /// The condition after the last call.
    public private(set) var condition: Condition = .unknown
    /// The shortest pause between two calls to the kubelet.
    public var refreshInterval: Duration
    private var lastAttempt: ContinuousClock.Instant?

    /// A mapping never asked for.
    /// - Parameter refreshInterval: the shortest pause between two calls to the kubelet (default 5 s).
    public init(refreshInterval: Duration = .seconds(5)) {
        self.refreshInterval = refreshInterval
    }

    /// A mapping is wanted at `now`.
    public mutating func refreshRequested(now: ContinuousClock.Instant) -> RefreshAction {
        if let lastAttempt, now < lastAttempt + refreshInterval { return .useLast }
        lastAttempt = now
        return .refresh
    }

    /// The call that ``refreshRequested(now:)`` started succeeded.
    public mutating func refreshSucceeded() -> LogAction {
        defer { condition = .up }
        return condition == .up ? .none : .logAvailable
    }

    /// The call failed with `error`. The same code again is not logged again, whatever its detail text.
    public mutating func refreshFailed(_ error: PodResourcesError) -> LogAction {
        defer { condition = .down(error) }
        if case .down(let previous) = condition, previous.code == error.code { return .none }
        return .logUnavailable(error)
    }
}
