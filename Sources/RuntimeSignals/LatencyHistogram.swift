/// A cumulative latency histogram, merged over the series of one pod and converted to seconds.
///
/// The figures are cumulative since the process started; latency over a window comes from the
/// difference between two snapshots.
public struct LatencyHistogram: Sendable, Hashable {
    /// One bucket: how many observations were at most `upperBound`.
    public struct Bucket: Sendable, Hashable {
        /// The bucket's `le` bound, in seconds (`+infinity` for the last bucket).
        public var upperBound: Double
        /// Observations at or below the bound, cumulative since process start.
        public var cumulativeCount: Double

        /// Creates a bucket.
        public init(upperBound: Double, cumulativeCount: Double) {
            self.upperBound = upperBound
            self.cumulativeCount = cumulativeCount
        }
    }

    /// Buckets in increasing order of bound.
    public var buckets: [Bucket]
    /// Number of observations.
    public var count: Double
    /// Sum of the observations, in seconds.
    public var sum: Double

    /// Creates a histogram.
    public init(buckets: [Bucket], count: Double, sum: Double) {
        self.buckets = buckets
        self.count = count
        self.sum = sum
    }

    /// The mean observation in seconds, or `nil` with no observations.
    public var mean: Double? { count > 0 ? sum / count : nil }
}
