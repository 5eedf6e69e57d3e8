/// How request arrivals are drawn from a ServeGen workload model (`--format servegen`).
public struct ServeGenConfiguration: Sendable, Equatable {
    /// Length of one window of the released files, seconds (ServeGen's `window_size`).
    public static let windowSeconds: Double = 600

    /// How the clients' rates are scaled. The released aggregates are 10–3,000 requests/s; a
    /// replay of a few replicas wants a few requests/s.
    public enum RateScale: Sendable, Equatable {
        /// Every client's rate times this factor (1: the file's rates).
        case factor(Double)
        /// One factor for every client, chosen so that the expected mean over the span is this
        /// many requests per second.
        case meanRate(Double)
    }

    /// Start of the span, seconds on the data set's time axis (default: its first window).
    public var startSeconds: Double?
    /// Length of the span, seconds (default: 3 h).
    public var durationSeconds: Double = 3 * 3600
    /// The rate scale (default: a mean of 5 requests/s, about the Azure conversation trace's).
    public var rateScale: RateScale = .meanRate(5)
    /// Seed of the draws; a client's window draws the same arrivals whatever the span.
    public var seed: UInt64 = 1
    /// Most requests one span may draw (memory: about 100 bytes each); more is an error that
    /// names the scale that fits.
    public var maximumRequests = 20_000_000

    public init(startSeconds: Double? = nil, durationSeconds: Double = 3 * 3600, rateScale: RateScale = .meanRate(5), seed: UInt64 = 1) {
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
        self.rateScale = rateScale
        self.seed = seed
    }
}
