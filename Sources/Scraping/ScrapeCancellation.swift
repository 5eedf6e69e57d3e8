import NIOConcurrencyHelpers

/// What stops a scrape's requests when the task that asked for them is cancelled (at shutdown): each request registers
/// how to close its connection, and `cancel` runs them all, or a request registered after it at once.
final class ScrapeCancellation: Sendable {
    private let state = NIOLockedValueBox<(cancelled: Bool, actions: [@Sendable () -> Void])>((false, []))

    /// Runs `action` on cancellation (now, if it came already).
    func add(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLockedValue { state in
            if !state.cancelled { state.actions.append(action) }
            return state.cancelled
        }
        if now { action() }
    }

    /// Runs every registered action once.
    func cancel() {
        let actions = state.withLockedValue { state in
            defer { state = (true, []) }
            return state.cancelled ? [] : state.actions
        }
        for action in actions { action() }
    }
}
