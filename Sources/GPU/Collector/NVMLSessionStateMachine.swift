/// The life of the agent's NVML session: not yet opened, open, failed (retried after a pause), shut down.
///
/// Opening means `dlopen` (once) and `nvmlInit_v2`. A failure is not fatal: a DaemonSet often starts before
/// the GPU driver is ready, so opening is tried again on a read at least ``retryInterval`` later. Between
/// tries, reads report the last error at once without touching NVML. The log gets one line per change of
/// condition (first failure, a different failure, recovery), not one per scrape.
///
/// Pure: events in, actions out; the ``GPUCollector`` performs the actions.
public struct NVMLSessionStateMachine: Sendable {
    /// Where the session is.
    public enum State: Sendable, Equatable {
        /// Never opened.
        case idle
        /// `nvmlInit_v2` succeeded; reads go to NVML.
        case open
        /// The last open (or a read that showed the session is gone) failed with this error; the next
        /// open may be tried at `retryAt`.
        case failed(NVMLError, retryAt: ContinuousClock.Instant)
        /// Shut down for good: reads report unavailable.
        case shutDown
    }

    /// What to do for a read.
    public enum ReadAction: Sendable, Equatable {
        /// Load the library if needed and call `nvmlInit_v2`, then report ``opened()`` or ``openFailed(_:now:)``.
        case open
        /// Read the GPUs, then report ``readFinished(_:now:)``.
        case read
        /// Do not touch NVML; answer with this error.
        case reportUnavailable(NVMLError)
    }

    /// What to log after an event.
    public enum LogAction: Sendable, Equatable {
        /// Nothing changed worth a line.
        case none
        /// NVML became unusable, or fails differently than before: one error line.
        case logUnavailable(NVMLError)
        /// NVML works again after failing (or for the first time).
        case logAvailable
    }

    /// What to do when the agent stops.
    public enum ShutdownAction: Sendable, Equatable {
        /// Call `nvmlShutdown` (the session was open).
        case shutdown
        /// Nothing was initialised.
        case none
    }

    /// The current state.
    public private(set) var state: State = .idle
    /// Pause between tries to open NVML after a failure.
    public var retryInterval: Duration
    private var lastLogged: NVMLError?
    private var everLogged = false

    /// A session that has not been opened.
    /// - Parameter retryInterval: pause between tries to open NVML after a failure (default 30 s).
    public init(retryInterval: Duration = .seconds(30)) {
        self.retryInterval = retryInterval
    }

    /// A read was asked for at `now`.
    public mutating func readRequested(now: ContinuousClock.Instant) -> ReadAction {
        switch state {
        case .idle:
            return .open
        case .open:
            return .read
        case .failed(let error, let retryAt):
            return now >= retryAt ? .open : .reportUnavailable(error)
        case .shutDown:
            return .reportUnavailable(NVMLError(code: .call(.uninitialized), function: "nvmlShutdown", library: "",
                                                detail: "the agent is shutting down"))
        }
    }

    /// `nvmlInit_v2` succeeded; the next action is a read.
    public mutating func opened() -> LogAction {
        guard state != .shutDown else { return .none }
        state = .open
        let wasFailing = lastLogged != nil || !everLogged
        lastLogged = nil
        everLogged = true
        return wasFailing ? .logAvailable : .none
    }

    /// Loading or `nvmlInit_v2` failed at `now`.
    public mutating func openFailed(_ error: NVMLError, now: ContinuousClock.Instant) -> LogAction {
        guard state != .shutDown else { return .none }
        state = .failed(error, retryAt: now + retryInterval)
        return noteFailure(error)
    }

    /// A read finished at `now`; `unavailable` is the snapshot's session-wide error, if any.
    ///
    /// Codes that mean the session itself is gone (`UNINITIALIZED`, `DRIVER_NOT_LOADED`,
    /// `LIB_RM_VERSION_MISMATCH`, e.g. after a driver upgrade) move it to failed so that it is reopened.
    /// Returns whether to call `nvmlShutdown` on the old session and what to log.
    public mutating func readFinished(_ unavailable: NVMLError?, now: ContinuousClock.Instant) -> (closeSession: Bool, log: LogAction) {
        guard state == .open else { return (false, .none) }
        guard let unavailable else {
            guard lastLogged != nil else { return (false, .none) }
            lastLogged = nil
            return (false, .logAvailable)
        }
        let sessionGone: Set<NVMLReturn> = [.uninitialized, .driverNotLoaded, .libRMVersionMismatch]
        if case .call(let code) = unavailable.code, sessionGone.contains(code) {
            state = .failed(unavailable, retryAt: now + retryInterval)
            return (code != .uninitialized, noteFailure(unavailable))
        }
        return (false, noteFailure(unavailable))
    }

    /// The agent is stopping.
    public mutating func shutdownRequested() -> ShutdownAction {
        defer { state = .shutDown }
        return state == .open ? .shutdown : .none
    }

    private mutating func noteFailure(_ error: NVMLError) -> LogAction {
        everLogged = true
        guard lastLogged != error else { return .none }
        lastLogged = error
        return .logUnavailable(error)
    }
}
