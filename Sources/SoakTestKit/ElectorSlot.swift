import AutoscalerCore
import Kubernetes
import NIOConcurrencyHelpers

/// The Leadership a soak replica's loop reads: its current `LeaderElector`, replaced when the replica's elector
/// is stopped and started again (a leader change), so the loop need not be rebuilt.
final class ElectorSlot: Leadership, Sendable {
    private let current = NIOLockedValueBox<(elector: LeaderElector, task: Task<Void, Never>)?>(nil)

    var isLeader: Bool { current.withLockedValue { $0?.elector.isLeader ?? false } }

    /// Starts `elector` in its own task.
    func start(_ elector: LeaderElector) {
        let task = Task { await elector.run() }
        current.withLockedValue { $0 = (elector, task) }
    }

    /// Asks the elector to release the Lease and waits for it to return.
    func stop() async {
        guard let (elector, task) = current.withLockedValue({ c in defer { c = nil }; return c }) else { return }
        elector.requestShutdown()
        await task.value
    }
}
