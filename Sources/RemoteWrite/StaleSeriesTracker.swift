/// Remembers which series the previous round produced, to find the ones that ended.
///
/// Call `update` once per round (scrape, tick) with the series present now; append a stale
/// marker for each series it returns.
public struct StaleSeriesTracker: Sendable {
    private var previous: Set<RemoteWriteSeries> = []

    /// Creates a tracker that has seen nothing yet.
    public init() {}

    /// Records the series present this round and returns those present last round but not now.
    public mutating func update<S: Sequence>(present: S) -> [RemoteWriteSeries] where S.Element == RemoteWriteSeries {
        let current = Set(present)
        let ended = previous.subtracting(current).sorted { $0.labels.description < $1.labels.description }
        previous = current
        return ended
    }
}
