/// The largest value recorded over the last `length` buckets, kept as a monotonic deque
/// (Knative's `pkg/autoscaler/aggregation/max/window.go`). The scale-down delay uses it.
public struct SlidingMaximumWindow: Sendable {
    private struct Entry: Sendable {
        var index: Int64
        var value: Int32
    }

    /// Window length in buckets.
    public let length: Int
    private var maxima: [Entry]
    private var first = 0
    private var count = 0

    /// Creates an empty window of `length` buckets (at least 1).
    public init(length: Int) {
        self.length = max(1, length)
        maxima = Array(repeating: Entry(index: 0, value: 0), count: self.length)
    }

    /// Records `value` for bucket `index`; indexes must not decrease.
    public mutating func record(_ value: Int32, index: Int64) {
        var v = value
        // Drop entries a newer, larger-or-equal value makes irrelevant (newest first).
        while count > 0 {
            if v < maxima[slot(first + count - 1)].value { break }
            count -= 1
        }
        // Drop entries that have left the window (oldest first).
        while count > 0 && index - maxima[first].index >= Int64(length) {
            count -= 1
            first += 1
            if first == length { first = 0 }
        }
        // Two values for the same bucket keep the larger.
        if count > 0 {
            let last = maxima[slot(first + count - 1)]
            if last.index == index {
                if last.value > v { v = last.value }
                count -= 1
            }
        }
        maxima[slot(first + count)] = Entry(index: index, value: v)
        count += 1
    }

    /// The largest value in the window (0 before any record).
    public var current: Int32 { maxima[first].value }

    private func slot(_ i: Int) -> Int { i % length }
}

/// A `SlidingMaximumWindow` indexed by time: buckets of `granularitySeconds`, as many as
/// cover `durationSeconds` (rounded up). Knative uses 2 s buckets, the decider tick.
public struct TimedMaximumWindow: Sendable {
    private var window: SlidingMaximumWindow
    /// Bucket width in whole seconds.
    public let granularitySeconds: Int64

    /// A window covering `durationSeconds` in buckets of `granularitySeconds`.
    public init(durationSeconds: Double, granularitySeconds: Int64 = 2) {
        self.granularitySeconds = max(1, granularitySeconds)
        let buckets = Int((durationSeconds / Double(self.granularitySeconds)).rounded(.up))
        window = SlidingMaximumWindow(length: buckets)
    }

    /// Records `value` in the bucket that holds `time`.
    public mutating func record(_ value: Int32, at time: Timestamp) {
        window.record(value, index: time.unixSeconds / granularitySeconds)
    }

    /// The largest value of the window.
    public var current: Int32 { window.current }
}
