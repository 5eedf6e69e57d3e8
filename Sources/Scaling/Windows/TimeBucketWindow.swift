/// A sliding window of one-second buckets that averages a metric the way Knative's
/// autoscaler does (`pkg/autoscaler/aggregation/bucketing.go`).
///
/// Records in the same second are summed into one bucket (a scraped stat and an activator
/// stat for the same second add up). The window keeps a running total; the arithmetic,
/// including the order of additions and subtractions, follows Knative's so that averages
/// agree to the last bit.
public struct TimeBucketWindow: Sendable {
    /// Window length in one-second buckets.
    public let length: Int
    /// Decay per bucket of the weighted-exponential average (Knative's smoothing coefficient).
    public let smoothingCoefficient: Double

    private var buckets: [Double]
    /// Unix second of the first write since the window last started; nil before any write.
    private var firstWrite: Int64?
    /// Unix second of the newest bucket written; nil before any write.
    private var lastWrite: Int64?
    /// Sum of every bucket in the ring, including buckets that are no longer valid.
    private var windowTotal: Double = 0

    /// Knative's constants for the weighted average: the weights of the window should add
    /// up to at least 0.9999, and the decay is never below 0.2.
    static let weightPrecision = 0.9999
    static let minimumExponent = 0.2

    /// Creates an empty window of `seconds` one-second buckets (at least 1).
    public init(seconds: Int) {
        let n = max(1, seconds)
        length = n
        buckets = Array(repeating: 0, count: n)
        smoothingCoefficient = Self.smoothingCoefficient(buckets: n)
    }

    /// `max(1 − (1 − 0.9999)^(1/n), 0.2)`: 0.2 for a 60-bucket window, about 0.785 for 6.
    static func smoothingCoefficient(buckets n: Int) -> Double {
        max(1 - GoMath.power(1 - weightPrecision, 1 / Double(n)), minimumExponent)
    }

    /// Adds `value` to the bucket of the second that contains `time`.
    ///
    /// A write after more than a window of silence resets the window; a write older than
    /// the window is ignored; buckets skipped since the last write become zero.
    public mutating func record(_ value: Double, at time: Timestamp) {
        let second = time.unixSeconds
        let window = Int64(length)
        if lastWrite != second {
            if let last = lastWrite, second + window <= last {
                return  // older than the window: Knative drops it
            }
            if firstWrite == nil || firstWrite! > second {
                firstWrite = second
            }
            if lastWrite == nil || second > lastWrite! {
                if let last = lastWrite, second - last < window {
                    // Zero the buckets between the last write and this one.
                    var i = last + 1
                    while i <= second {
                        let index = Int(i % window)
                        windowTotal -= buckets[index]
                        buckets[index] = 0
                        i += 1
                    }
                } else {
                    // First write, or silence for a whole window: start afresh.
                    firstWrite = second
                    for i in buckets.indices { buckets[i] = 0 }
                    windowTotal = 0
                }
                lastWrite = second
            }
        }
        buckets[Int(second % window)] += value
        windowTotal += value
    }

    /// True when nothing was written during the window that ends at `time`.
    public func isEmpty(at time: Timestamp) -> Bool {
        guard let last = lastWrite else { return true }
        return time.unixSeconds - last > Int64(length)
    }

    /// The average over the valid buckets, floored to 6 decimal places (Knative's default
    /// `linear` algorithm).
    ///
    /// A partial window averages only the seconds it has seen; trailing seconds without data
    /// are left out rather than read as zero; gaps inside the data count as zero; after a
    /// whole window of silence the average is 0.
    public func linearAverage(at time: Timestamp) -> Double {
        guard let last = lastWrite, let first = firstWrite else { return 0 }
        let now = time.unixSeconds
        let window = Int64(length)
        let d = now - last
        if d <= 0 {
            let valid = min(last - first + 1, window)
            return Self.floorToMicros(windowTotal / Double(valid))
        } else if d < window {
            var total = windowTotal
            var i = last + 1
            while i <= now {
                total -= buckets[Int(i % window)]
                i += 1
            }
            let valid = min(last - first + 1, window - d)
            return Self.floorToMicros(total / Double(valid))
        }
        return 0
    }

    /// The weighted-exponential average (Knative's `weighted-exponential` algorithm): the
    /// newest bucket weighs `α`, the one before `α(1−α)`, and so on. The weights are not
    /// normalised, so a young series reads low, and there is no rounding.
    public func weightedAverage(at time: Timestamp) -> Double {
        guard let last = lastWrite, !isEmpty(at: time) else { return 0 }
        let now = time.unixSeconds
        let alpha = smoothingCoefficient
        var multiplier = alpha
        var count = length
        if now > last {
            let silent = now - last
            multiplier *= GoMath.power(1 - alpha, Double(silent))
            count -= Int(silent)
        }
        let window = Int64(length)
        let start = last + window
        var result = 0.0
        var i: Int64 = 0
        while i < Int64(count) {
            result += buckets[Int((start - i) % window)] * multiplier
            multiplier *= (1 - alpha)
            i += 1
        }
        return result
    }

    /// The average by `algorithm`.
    public func average(at time: Timestamp, algorithm: AggregationAlgorithm) -> Double {
        switch algorithm {
        case .linear: linearAverage(at: time)
        case .weightedExponential: weightedAverage(at: time)
        }
    }

    /// `floor(f × 10⁶) / 10⁶`, as Knative rounds linear averages.
    static func floorToMicros(_ f: Double) -> Double {
        (f * 1e6).rounded(.down) / 1e6
    }
}
