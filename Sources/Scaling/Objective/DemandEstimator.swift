/// What arrives at a target, from what its replicas show: prompt tokens arriving per second
/// (those processed plus the growth of the prompt tokens waiting: waiting requests × the mean
/// prompt), the KV tokens in flight (cache held plus the prompts waiting for it) and the
/// sequences held (running), one figure per second over a bounded history.
///
/// The forecast reads that history: a prompt may wait up to the TTFT objective, so demand is
/// averaged over objective-long spans, and the level provisioned for is the one that the
/// `quantile` share of prompt tokens arrived at or under (token-weighted: a burst holds many
/// requests in few seconds). A rising trend is carried one cold start ahead.
public struct DemandEstimator: Sendable {
    /// One second of demand.
    public struct Second: Sendable, Equatable {
        /// Prompt tokens arriving, per second.
        public var promptTokens: Double
        /// KV-cache tokens held or waiting to be held.
        public var kvTokens: Double?
        /// Sequences held (running).
        public var sequences: Double?
    }

    /// Seconds kept (at most an hour).
    public let historySeconds: Int
    public private(set) var seconds: [Second] = []
    private var lastQueuedTokens: Double?
    private var promptSum = 0.0
    private var requestSum = 0.0

    /// An estimator that keeps `historySeconds` of demand.
    public init(historySeconds: Double) {
        self.historySeconds = max(10, min(3600, Int(historySeconds.rounded())))
    }

    /// Mean prompt tokens per request seen so far (nil before any request was counted).
    public var meanPromptTokens: Double? { requestSum > 0 ? promptSum / requestSum : nil }

    /// Prompt tokens waiting now, from the waiting requests and the mean prompt.
    public private(set) var queuedTokens = 0.0

    /// One second: prompt tokens processed (per second, target total), requests arriving per
    /// second, requests waiting and running, and KV tokens held (target total). Nil: not measured.
    public mutating func observe(processedTokens: Double, requests: Double?, waiting: Double?, running: Double?,
                                 kvHeldTokens: Double?) {
        if let requests, requests > 0 {
            promptSum += processedTokens
            requestSum += requests
        }
        queuedTokens = (waiting ?? 0) * (meanPromptTokens ?? 0)
        let growth = lastQueuedTokens.map { queuedTokens - $0 } ?? 0
        lastQueuedTokens = queuedTokens
        let arriving = max(0, processedTokens + growth)
        let kv = kvHeldTokens.map { $0 + queuedTokens }
        // Waiting requests mostly wait for the token budget (prefill), which the prompt-token
        // figure sizes; the sequence figure is what the replicas hold.
        let sequences = running
        seconds.append(Second(promptTokens: arriving, kvTokens: kv, sequences: sequences))
        if seconds.count > historySeconds { seconds.removeFirst(seconds.count - historySeconds) }
    }

    /// Mean prompt tokens per second over the last `span` seconds (0 with no history).
    public func mean(lastSeconds span: Int) -> Double {
        let slice = seconds.suffix(max(1, span))
        return slice.isEmpty ? 0 : slice.reduce(0) { $0 + $1.promptTokens } / Double(slice.count)
    }

    /// The prompt-token rate to provision for: the token-weighted `quantile` of the
    /// `spanSeconds`-long moving means over the history, or the current trend carried
    /// `aheadSeconds` forward when that is higher.
    public func forecast(quantile: Double, spanSeconds: Double, aheadSeconds: Double) -> Double {
        guard !seconds.isEmpty else { return 0 }
        let span = max(1, Int(spanSeconds.rounded(.up)))
        var means: [Double] = []
        means.reserveCapacity(seconds.count)
        var sum = 0.0
        for (i, s) in seconds.enumerated() {
            sum += s.promptTokens
            if i >= span { sum -= seconds[i - span].promptTokens }
            means.append(sum / Double(min(i + 1, span)))
        }
        let level = Self.weightedQuantile(means, quantile)
        // Trend: the last cold start against the one before, carried one cold start ahead.
        let ahead = max(1, Int(aheadSeconds.rounded()))
        var trend = 0.0
        if seconds.count >= 2 * ahead {
            let recent = mean(lastSeconds: ahead)
            let before = seconds.dropLast(ahead).suffix(ahead).reduce(0) { $0 + $1.promptTokens } / Double(ahead)
            trend = recent + (recent - before)
        }
        return max(level, trend)
    }

    /// The `quantile` (time-weighted) of a per-second figure over the history; nil when never measured.
    public func quantile(_ q: Double, of figure: KeyPath<Second, Double?>) -> Double? {
        let values = seconds.compactMap { $0[keyPath: figure] }
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[rank]
    }

    /// The smallest level `L` at which the parts of the values above it, `Σ max(0, v − L)`,
    /// add up to at most `1 − q` of the total: with capacity `L`, at most that share of the
    /// tokens is left over beyond the span. 0 when everything is 0.
    static func weightedQuantile(_ values: [Double], _ q: Double) -> Double {
        let total = values.reduce(0, +)
        guard total > 0 else { return 0 }
        let allowance = (1 - q) * total
        let sorted = values.sorted(by: >)
        var sum = 0.0
        for (k, v) in sorted.enumerated() {
            sum += v
            let next = k + 1 < sorted.count ? sorted[k + 1] : 0
            // Between `next` and `v` the excess is sum − (k + 1) × L.
            if sum - Double(k + 1) * next > allowance { return max(next, (sum - allowance) / Double(k + 1)) }
        }
        return 0
    }
}
