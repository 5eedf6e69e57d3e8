import Scaling
import Synchronization

/// Finished scrapes on their way to the loop's actor, delivered in batches. Each scrape task adds its result here;
/// only the one that finds no delivery under way hops to the actor, and the actor then takes every result added
/// until it gets there. When many targets finish together (a round of quick pods) that is one hop per batch rather
/// than one per target; a result that finishes alone still goes at once (after one yield of the pool): there is no
/// timer and no batch size to wait for.
///
/// Results are taken in the order they were added; a target has at most one scrape in flight, so its own samples
/// stay in order whatever else shares a batch. A `Mutex`, not NIO's lock: the core imports no NIO.
final class ScrapeInbox: Sendable {
    /// One target's finished scrape.
    struct Finished: Sendable {
        var key: String
        /// The round that started it, and that round's time (the sample's time in the windows).
        var round: Int
        var time: Timestamp
        var signals: CollectedSignals
        /// How long the scrape took, in seconds.
        var seconds: Double
        /// Cancelled scrapes are still delivered (to end their round and free the target), never recorded.
        var cancelled: Bool
    }

    private struct State {
        var items: [Finished] = []
        /// Whether a scrape task is on its way to the actor to take `items`.
        var delivering = false
    }

    private let state = Mutex(State())

    init() {}

    /// Adds a finished scrape; true when the caller must deliver (`take()` on the actor), false when a delivery
    /// already under way will take it.
    func add(_ finished: Finished) -> Bool {
        state.withLock { s in
            s.items.append(finished)
            if s.delivering { return false }
            s.delivering = true
            return true
        }
    }

    /// Everything added so far, oldest first; the next `add` starts a new delivery.
    func take() -> [Finished] {
        state.withLock { s in
            let items = s.items
            s.items = []
            s.items.reserveCapacity(items.count)
            s.delivering = false
            return items
        }
    }
}
