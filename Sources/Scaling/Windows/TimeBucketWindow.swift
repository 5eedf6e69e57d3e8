/// A sliding window of one-second buckets that averages a metric the way Knative's
/// autoscaler does (`pkg/autoscaler/aggregation/bucketing.go`).
///
/// Records in the same second are summed into one bucket (a scraped stat and an activator
/// stat for the same second add up). The window keeps a running total; the arithmetic,
/// including the order of additions and subtractions, follows Knative's so that averages
/// agree to the last bit.
public struct TimeBucketWindow: Sendable {
    private var ring: BucketRing
    private var storage: [Double]

    /// Creates an empty window of `seconds` one-second buckets (at least 1).
    public init(seconds: Int) {
        ring = BucketRing(length: seconds, offset: 0)
        storage = Array(repeating: 0, count: ring.length)
    }

    /// Window length in one-second buckets.
    public var length: Int { ring.length }
    /// Decay per bucket of the weighted-exponential average (Knative's smoothing coefficient).
    public var smoothingCoefficient: Double { ring.smoothingCoefficient }

    /// Adds `value` to the bucket of the second that contains `time`.
    ///
    /// A write after more than a window of silence resets the window; a write older than
    /// the window is ignored; buckets skipped since the last write become zero.
    public mutating func record(_ value: Double, at time: Timestamp) {
        storage.withUnsafeMutableBufferPointer { ring.record(value, second: time.unixSeconds, in: $0) }
    }

    /// True when nothing was written during the window that ends at `time`.
    public func isEmpty(at time: Timestamp) -> Bool { ring.isEmpty(second: time.unixSeconds) }

    /// The average over the valid buckets, floored to 6 decimal places (Knative's default
    /// `linear` algorithm).
    ///
    /// A partial window averages only the seconds it has seen; trailing seconds without data
    /// are left out rather than read as zero; gaps inside the data count as zero; after a
    /// whole window of silence the average is 0.
    public func linearAverage(at time: Timestamp) -> Double {
        storage.withUnsafeBufferPointer { ring.linearAverage(second: time.unixSeconds, in: $0) }
    }

    /// The weighted-exponential average (Knative's `weighted-exponential` algorithm): the
    /// newest bucket weighs `α`, the one before `α(1−α)`, and so on. The weights are not
    /// normalised, so a young series reads low, and there is no rounding.
    public func weightedAverage(at time: Timestamp) -> Double {
        storage.withUnsafeBufferPointer { ring.weightedAverage(second: time.unixSeconds, in: $0) }
    }

    /// The average by `algorithm`.
    public func average(at time: Timestamp, algorithm: AggregationAlgorithm) -> Double {
        storage.withUnsafeBufferPointer { ring.average(second: time.unixSeconds, algorithm: algorithm, in: $0) }
    }
}
