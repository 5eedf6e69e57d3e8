/// A sliding window of one-second buckets that averages a metric the way Knative's
/// autoscaler does (`pkg/autoscaler/aggregation/bucketing.go`).
///
/// Records in the same second are summed into one bucket (a scraped stat and an activator
/// stat for the same second add up). The window keeps a running total; the arithmetic,
/// including the order of additions and subtractions, follows Knative's so that averages
/// agree to the last bit.
///
/// Knative reads a second without a write, between two writes, as zero: its scraper samples
/// every second, so such a second only follows a failed scrape. With
/// `unsampledSecondsReadAsZero: false` the window remembers which seconds were written and
/// averages over those only, so a skipped or late scrape round is no data rather than zero
/// load. When every second is written both readings agree to the last bit.
public struct TimeBucketWindow: Sendable {
    private enum Storage: Sendable {
        case knative(BucketRing, [Double])
        case sampled(SampledBucketRing)
        /// Held only while `record` mutates a payload, so that its arrays are not copied.
        case moved
    }
    private var storage: Storage

    /// Creates an empty window of `seconds` one-second buckets (at least 1).
    ///
    /// - Parameter unsampledSecondsReadAsZero: Knative's reading (the default): seconds
    ///   without a write between two writes count as zero. False: they are left out.
    public init(seconds: Int, unsampledSecondsReadAsZero: Bool = true) {
        if unsampledSecondsReadAsZero {
            let ring = BucketRing(length: seconds, offset: 0)
            storage = .knative(ring, Array(repeating: 0, count: ring.length))
        } else {
            storage = .sampled(SampledBucketRing(length: seconds))
        }
    }

    /// Whether seconds without a write count as zero (Knative) or are left out.
    public var unsampledSecondsReadAsZero: Bool {
        if case .knative = storage { return true }
        return false
    }

    /// Window length in one-second buckets.
    public var length: Int {
        switch storage {
        case .knative(let ring, _): ring.length
        case .sampled(let ring): ring.length
        case .moved: 0
        }
    }

    /// Decay per bucket of the weighted-exponential average (Knative's smoothing coefficient).
    public var smoothingCoefficient: Double {
        switch storage {
        case .knative(let ring, _): ring.smoothingCoefficient
        case .sampled(let ring): ring.smoothingCoefficient
        case .moved: 0
        }
    }

    /// Adds `value` to the bucket of the second that contains `time`.
    ///
    /// A write after more than a window of silence resets the window; a write older than
    /// the window is ignored; buckets skipped since the last write become zero (Knative's
    /// reading) or unsampled.
    public mutating func record(_ value: Double, at time: Timestamp) {
        switch storage {
        case .knative(var ring, var values):
            storage = .moved  // drop the enum's references so that the arrays are mutated in place
            values.withUnsafeMutableBufferPointer { ring.record(value, second: time.unixSeconds, in: $0) }
            storage = .knative(ring, values)
        case .sampled(var ring):
            storage = .moved
            ring.record(value, second: time.unixSeconds)
            storage = .sampled(ring)
        case .moved:
            break
        }
    }

    /// True when nothing was written during the window that ends at `time`.
    public func isEmpty(at time: Timestamp) -> Bool {
        switch storage {
        case .knative(let ring, _): ring.isEmpty(second: time.unixSeconds)
        case .sampled(let ring): ring.isEmpty(second: time.unixSeconds)
        case .moved: true
        }
    }

    /// The average over the valid buckets, floored to 6 decimal places (Knative's default
    /// `linear` algorithm).
    ///
    /// A partial window averages only the seconds it has seen; trailing seconds without data
    /// are left out rather than read as zero; gaps inside the data count as zero under
    /// Knative's reading and are left out otherwise; after a whole window of silence the
    /// average is 0.
    public func linearAverage(at time: Timestamp) -> Double {
        switch storage {
        case .knative(let ring, let values): values.withUnsafeBufferPointer { ring.linearAverage(second: time.unixSeconds, in: $0) }
        case .sampled(let ring): ring.linearAverage(second: time.unixSeconds)
        case .moved: 0
        }
    }

    /// The weighted-exponential average (Knative's `weighted-exponential` algorithm): the
    /// newest bucket weighs `α`, the one before `α(1−α)`, and so on. The weights are not
    /// normalised, so a young series reads low, and there is no rounding. Without Knative's
    /// reading an unsampled second weighs as the mean of the sampled ones, and trailing
    /// silence does not decay the reading.
    public func weightedAverage(at time: Timestamp) -> Double {
        switch storage {
        case .knative(let ring, let values): values.withUnsafeBufferPointer { ring.weightedAverage(second: time.unixSeconds, in: $0) }
        case .sampled(let ring): ring.weightedAverage(second: time.unixSeconds)
        case .moved: 0
        }
    }

    /// The average by `algorithm`.
    public func average(at time: Timestamp, algorithm: AggregationAlgorithm) -> Double {
        switch storage {
        case .knative(let ring, let values):
            values.withUnsafeBufferPointer { ring.average(second: time.unixSeconds, algorithm: algorithm, in: $0) }
        case .sampled(let ring): ring.average(second: time.unixSeconds, algorithm: algorithm)
        case .moved: 0
        }
    }
}
