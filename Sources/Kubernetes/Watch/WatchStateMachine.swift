/// Keeps a list+watch going: list, watch from the list's resourceVersion, resume after a watch ends, list again
/// after 410 Gone or an ERROR event, and back off after failures. Pure: the driver (`PodWatcher`) performs the
/// actions and feeds back what happened.
///
/// The resourceVersion is advanced by every event, BOOKMARK included, so a resumed watch neither repeats nor
/// skips events. Only a delivered event (or bookmark) resets the failure count — a successful list does not — and
/// a watch that ends or fails without having delivered anything counts as a failure. So a server that closes
/// every watch at once, or answers every watch with 410, meets a growing backoff instead of a hot loop.
public struct WatchStateMachine: Sendable {
    /// What the driver must do next.
    public enum Action: Sendable, Equatable {
        /// List the collection, then report `listed(resourceVersion:)` or `failed(…)`.
        case list
        /// Open a watch from this resourceVersion.
        case startWatch(from: String)
        /// Apply the event to the local store and publish it.
        case deliver
        /// Nothing to do (a BOOKMARK, or an event for a stopped machine).
        case none
        /// Wait this many seconds, then report `backoffElapsed()`.
        case backoff(seconds: Double)
        /// Stop: `stop()` was called.
        case stop
    }

    /// Where the machine is.
    public enum State: Sendable, Equatable {
        /// Created; `start()` not yet called.
        case idle
        /// Waiting for a list result.
        case listing
        /// A watch is open (or being opened) from `resourceVersion`; `events` counts events seen on it.
        case watching(resourceVersion: String, events: Int)
        /// Waiting out a backoff; `thenList` says whether a list (or a watch resumption) follows.
        case backingOff(thenList: Bool)
        /// Stopped for good.
        case stopped
    }

    /// Backoff policy for failures.
    public let backoff: Backoff
    /// Current state.
    public private(set) var state: State = .idle
    /// The last resourceVersion seen (from a list, an event or a bookmark).
    public private(set) var resourceVersion: String?
    /// Consecutive failures since the last delivered event or bookmark.
    public private(set) var consecutiveFailures = 0

    /// Creates a machine.
    public init(backoff: Backoff = Backoff()) {
        self.backoff = backoff
    }

    /// Begin: the first action is always a list.
    public mutating func start() -> Action {
        guard state == .idle else { return .none }
        state = .listing
        return .list
    }

    /// A list succeeded with this collection resourceVersion.
    public mutating func listed(resourceVersion: String) -> Action {
        guard state == .listing else { return .none }
        self.resourceVersion = resourceVersion
        state = .watching(resourceVersion: resourceVersion, events: 0)
        return .startWatch(from: resourceVersion)
    }

    /// A watch event arrived. For ERROR, pass the status `code` (410 for Expired) and a jitter in [0, 1) used
    /// when repeated ERROR events call for a backoff before the next list.
    public mutating func received(
        _ type: WatchEventType, resourceVersion newVersion: String?, errorCode: Int? = nil, jitter: Double = 0
    ) -> Action {
        guard case .watching(_, let events) = state else { return .none }
        switch type {
        case .added, .modified, .deleted, .bookmark:
            if let newVersion, !newVersion.isEmpty { resourceVersion = newVersion }
            consecutiveFailures = 0
            state = .watching(resourceVersion: resourceVersion ?? "", events: events + 1)
            return type == .bookmark ? .none : .deliver
        case .error:
            // 410 Expired: the resourceVersion is gone; anything else: the watch is broken. Both need a fresh list.
            resourceVersion = nil
            // 410 after progress is routine (the history moved on): list at once.
            if errorCode == 410, events > 0 {
                state = .listing
                return .list
            }
            // Otherwise list at once the first time, and back off when errors repeat without progress.
            consecutiveFailures += 1
            if consecutiveFailures == 1 {
                state = .listing
                return .list
            }
            state = .backingOff(thenList: true)
            return .backoff(seconds: backoff.delay(failures: consecutiveFailures, jitter: jitter))
        }
    }

    /// The watch stream ended cleanly (server timeout or connection end). Resumes from the last resourceVersion,
    /// or backs off when the watch delivered nothing.
    public mutating func streamEnded(jitter: Double) -> Action {
        guard case .watching(let version, let events) = state else { return .none }
        if events == 0 { return fail(thenList: false, jitter: jitter) }
        state = .watching(resourceVersion: version, events: 0)
        return .startWatch(from: version)
    }

    /// The server answered 410 Gone (to a watch or list): list again — at once after progress, after a backoff
    /// when it repeats without any delivered event.
    public mutating func gone(jitter: Double = 0) -> Action {
        switch state {
        case .listing, .watching: break
        default: return .none
        }
        resourceVersion = nil
        if case .watching(_, let events) = state, events > 0 {
            state = .listing
            return .list
        }
        consecutiveFailures += 1
        if consecutiveFailures == 1 {
            state = .listing
            return .list
        }
        state = .backingOff(thenList: true)
        return .backoff(seconds: backoff.delay(failures: consecutiveFailures, jitter: jitter))
    }

    /// A list or watch failed (transport error, 5xx, 429, a broken stream).
    /// - Parameters:
    ///   - jitter: a random number in [0, 1) for the backoff.
    ///   - retryAfterSeconds: the server's `Retry-After` (429, 503): the backoff is at least that, capped at
    ///     `backoff.maximumSeconds` so that a hostile or broken hint cannot stop the watch for long.
    public mutating func failed(jitter: Double, retryAfterSeconds: Double? = nil) -> Action {
        switch state {
        case .listing: return fail(thenList: true, jitter: jitter, retryAfterSeconds: retryAfterSeconds)
        case .watching: return fail(thenList: false, jitter: jitter, retryAfterSeconds: retryAfterSeconds)
        default: return .none
        }
    }

    /// The backoff has passed.
    public mutating func backoffElapsed() -> Action {
        guard case .backingOff(let thenList) = state else { return .none }
        if !thenList, let resourceVersion {
            state = .watching(resourceVersion: resourceVersion, events: 0)
            return .startWatch(from: resourceVersion)
        }
        state = .listing
        return .list
    }

    /// Stop for good.
    public mutating func stop() -> Action {
        state = .stopped
        return .stop
    }

    private mutating func fail(thenList: Bool, jitter: Double, retryAfterSeconds: Double? = nil) -> Action {
        consecutiveFailures += 1
        state = .backingOff(thenList: thenList)
        let delay = backoff.delay(failures: consecutiveFailures, jitter: jitter)
        guard let hint = retryAfterSeconds else { return .backoff(seconds: delay) }
        return .backoff(seconds: max(delay, min(hint, backoff.maximumSeconds)))
    }
}
