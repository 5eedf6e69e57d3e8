/// Knative's one-second bucket ring (`BucketRing`) that also remembers which seconds were
/// written, and averages over those only: a second nobody sampled is no data, not zero load.
///
/// The bookkeeping and the order of the arithmetic are `BucketRing`'s, with the count of
/// written buckets in place of the span between the first and the last write; so when every
/// second is written the averages are Knative's to the last bit.
struct SampledBucketRing: Sendable {
    /// Window length in one-second buckets.
    let length: Int
    /// Decay per bucket of the weighted-exponential average.
    let smoothingCoefficient: Double
    private var values: [Double]
    private var sampled: [Bool]
    /// Unix second of the first write since the window last started; nil before any write.
    private var firstWrite: Int64?
    /// Unix second of the newest bucket written; nil before any write.
    private var lastWrite: Int64?
    /// Sum of every bucket in the ring, including buckets that are no longer valid.
    private var windowTotal: Double = 0
    /// Buckets marked in `sampled`, including buckets that are no longer valid.
    private var sampledCount = 0

    init(length: Int) {
        self.length = max(1, length)
        smoothingCoefficient = BucketRing.smoothingCoefficient(buckets: self.length)
        values = Array(repeating: 0, count: self.length)
        sampled = Array(repeating: false, count: self.length)
    }

    @inline(__always)
    private func slot(_ second: Int64) -> Int { Int(second % Int64(length)) }

    private mutating func clear(_ index: Int) {
        windowTotal -= values[index]
        values[index] = 0
        if sampled[index] {
            sampled[index] = false
            sampledCount -= 1
        }
    }

    mutating func record(_ value: Double, second: Int64) {
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
                    // Clear the buckets between the last write and this one: they are unsampled.
                    var i = last + 1
                    while i <= second {
                        clear(slot(i))
                        i += 1
                    }
                } else {
                    // First write, or silence for a whole window: start afresh.
                    firstWrite = second
                    for i in 0..<length {
                        values[i] = 0
                        sampled[i] = false
                    }
                    windowTotal = 0
                    sampledCount = 0
                }
                lastWrite = second
            }
        }
        let index = slot(second)
        values[index] += value
        windowTotal += value
        if !sampled[index] {
            sampled[index] = true
            sampledCount += 1
        }
    }

    func isEmpty(second now: Int64) -> Bool {
        guard let last = lastWrite else { return true }
        // The window at `now` holds seconds now − length + 1 … now: a last write `length` seconds ago is outside it.
        // (Knative's `> window` reads that second's window as 0 load, which with this reading was a false
        // scale-down: a target whose scrapes failed for exactly a window was decided on 0.)
        return now - last >= Int64(length)
    }

    /// The mean of the sampled buckets, floored to 6 decimal places; trailing seconds without
    /// data are left out, as in Knative; 0 after a whole window of silence.
    func linearAverage(second now: Int64) -> Double {
        guard let last = lastWrite else { return 0 }
        let d = now - last
        if d <= 0 {
            return BucketRing.floorToMicros(windowTotal / Double(sampledCount))
        } else if d < Int64(length) {
            var total = windowTotal
            var count = sampledCount
            var i = last + 1
            while i <= now {
                total -= values[slot(i)]
                if sampled[slot(i)] { count -= 1 }
                i += 1
            }
            return BucketRing.floorToMicros(total / Double(count))
        }
        return 0
    }

    /// Knative's weights by position from `now` (`α`, `α(1−α)`, …), with every unsampled second
    /// since the first write (trailing ones too) weighing as the weighted mean of the sampled
    /// ones instead of as zero. The weights stay unnormalised, so a young series still reads
    /// low; when every second was sampled and `now` is the last write this is Knative's sum.
    func weightedAverage(second now: Int64) -> Double {
        guard let last = lastWrite, let first = firstWrite, !isEmpty(second: now) else { return 0 }
        let alpha = smoothingCoefficient
        var multiplier = alpha
        var result = 0.0
        var sampledWeight = 0.0
        var spanWeight = 0.0
        var j = max(now, last)
        // Nothing was written before the first write: neither data nor span.
        let oldest = max(j - Int64(length) + 1, first)
        while j >= oldest {
            if j <= last && sampled[slot(j)] {
                result += values[slot(j)] * multiplier
                sampledWeight += multiplier
            }
            spanWeight += multiplier
            multiplier *= (1 - alpha)
            j -= 1
        }
        guard sampledWeight > 0 else { return 0 }
        return spanWeight == sampledWeight ? result : result * (spanWeight / sampledWeight)
    }

    func average(second: Int64, algorithm: AggregationAlgorithm) -> Double {
        switch algorithm {
        case .linear: linearAverage(second: second)
        case .weightedExponential: weightedAverage(second: second)
        }
    }
}
