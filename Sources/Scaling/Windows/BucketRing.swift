/// The state and arithmetic of one time-bucket window over a slice of storage that the
/// owner provides, so several windows can share one allocation (the tick touches one block
/// of memory per target instead of four). `TimeBucketWindow` and `MetricCollection` own
/// the storage; this type holds Knative's bookkeeping (`bucketing.go`).
struct BucketRing: Sendable {
    /// Window length in one-second buckets.
    let length: Int
    /// Where this window's buckets start in the shared storage.
    let offset: Int
    /// Decay per bucket of the weighted-exponential average.
    let smoothingCoefficient: Double
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

    init(length: Int, offset: Int) {
        self.length = max(1, length)
        self.offset = offset
        smoothingCoefficient = Self.smoothingCoefficient(buckets: self.length)
    }

    /// `max(1 − (1 − 0.9999)^(1/n), 0.2)`: 0.2 for a 60-bucket window, about 0.785 for 6.
    static func smoothingCoefficient(buckets n: Int) -> Double {
        max(1 - GoMath.power(1 - weightPrecision, 1 / Double(n)), minimumExponent)
    }

    @inline(__always)
    private func slot(_ second: Int64) -> Int { offset + Int(second % Int64(length)) }

    mutating func record(_ value: Double, second: Int64, in b: UnsafeMutableBufferPointer<Double>) {
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
                        let index = slot(i)
                        windowTotal -= b[index]
                        b[index] = 0
                        i += 1
                    }
                } else {
                    // First write, or silence for a whole window: start afresh.
                    firstWrite = second
                    for i in offset..<(offset + length) { b[i] = 0 }
                    windowTotal = 0
                }
                lastWrite = second
            }
        }
        b[slot(second)] += value
        windowTotal += value
    }

    func isEmpty(second now: Int64) -> Bool {
        guard let last = lastWrite else { return true }
        return now - last > Int64(length)
    }

    func linearAverage(second now: Int64, in b: UnsafeBufferPointer<Double>) -> Double {
        guard let last = lastWrite, let first = firstWrite else { return 0 }
        let window = Int64(length)
        let d = now - last
        if d <= 0 {
            let valid = min(last - first + 1, window)
            return Self.floorToMicros(windowTotal / Double(valid))
        } else if d < window {
            var total = windowTotal
            var i = last + 1
            while i <= now {
                total -= b[slot(i)]
                i += 1
            }
            let valid = min(last - first + 1, window - d)
            return Self.floorToMicros(total / Double(valid))
        }
        return 0
    }

    func weightedAverage(second now: Int64, in b: UnsafeBufferPointer<Double>) -> Double {
        guard let last = lastWrite, !isEmpty(second: now) else { return 0 }
        let alpha = smoothingCoefficient
        var multiplier = alpha
        var count = length
        if now > last {
            let silent = now - last
            multiplier *= GoMath.power(1 - alpha, Double(silent))
            count -= Int(silent)
        }
        let start = last + Int64(length)
        var result = 0.0
        var i: Int64 = 0
        while i < Int64(count) {
            result += b[slot(start - i)] * multiplier
            multiplier *= (1 - alpha)
            i += 1
        }
        return result
    }

    func average(second: Int64, algorithm: AggregationAlgorithm, in b: UnsafeBufferPointer<Double>) -> Double {
        switch algorithm {
        case .linear: linearAverage(second: second, in: b)
        case .weightedExponential: weightedAverage(second: second, in: b)
        }
    }

    /// `floor(f × 10⁶) / 10⁶`, as Knative rounds linear averages.
    static func floorToMicros(_ f: Double) -> Double {
        (f * 1e6).rounded(.down) / 1e6
    }
}
