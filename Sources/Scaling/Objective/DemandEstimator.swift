/// What arrives at a target, from what its replicas show: prompt tokens arriving per second
/// (those processed plus the growth of the prompt tokens waiting: waiting requests × the mean
/// prompt), the KV tokens in flight (cache held plus the prompts waiting for it) and the
/// sequences held (running), one figure per second over a bounded history.
///
/// The forecast reads that history: the level provisioned for is the least capacity at which
/// the history, replayed through a first-come-first-served fluid queue, would have served the
/// `quantile` share of its prompt tokens within the TTFT objective. A rising trend is carried
/// one cold start ahead.
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
    /// Queue drops not yet matched by processed tokens (≤ 0).
    private var owed = 0.0
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
        // A request leaves the waiting count when it is admitted and enters the processed count
        // when its prefill ends, often a second later: the drop is owed to the next seconds, not
        // dropped, or each such request would count twice (on arriving and on finishing). What
        // is owed is at most what was waiting.
        let net = processedTokens + growth + owed
        owed = max(min(0, net), -(lastQueuedTokens ?? 0))
        lastQueuedTokens = queuedTokens
        let arriving = max(0, net)
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

    /// The prompt-token rate to provision for: the least capacity at which the `quantile`
    /// share of the history's prompt tokens would have been processed within `objectiveSeconds`
    /// of arriving (`fluidCapacity`), or the current trend carried `aheadSeconds` forward when
    /// that is higher.
    public func forecast(quantile: Double, objectiveSeconds: Double, aheadSeconds: Double) -> Double {
        guard !seconds.isEmpty else { return 0 }
        let level = Self.fluidCapacity(seconds.map(\.promptTokens), objectiveSeconds: objectiveSeconds, quantile: quantile)
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

    /// The least capacity `L` (tokens per second) at which a first-come-first-served fluid
    /// queue fed `arrivals` (tokens arriving in each second, evenly over it) serves at least
    /// `quantile` of the tokens within `objectiveSeconds`. Within a second the backlog moves
    /// as `B + (a − L)τ`; a token arriving at τ is on time while that is at most `L × objective`.
    /// A burst thus costs what its backlog makes the tokens after it wait, not only its own
    /// excess. 0 when nothing arrived.
    static func fluidCapacity(_ arrivals: [Double], objectiveSeconds: Double, quantile: Double) -> Double {
        let total = arrivals.reduce(0, +)
        guard total > 0 else { return 0 }
        let peak = arrivals.max() ?? 0
        func onTime(_ capacity: Double) -> Double {
            var backlog = 0.0, served = 0.0
            let allowed = capacity * objectiveSeconds
            for a in arrivals where a > 0 || backlog > 0 {
                let share: Double
                if a == capacity {
                    share = backlog <= allowed ? 1 : 0
                } else {
                    // The backlog crosses the allowance at τ*; before it (rising) or after it (falling) is on time.
                    let crossing = min(1, max(0, (allowed - backlog) / (a - capacity)))
                    share = a > capacity ? crossing : 1 - crossing
                }
                served += a * share
                backlog = max(0, backlog + a - capacity)
            }
            return served / total
        }
        // At the peak rate nothing waits.
        var low = 0.0, high = peak
        for _ in 0..<40 {
            let mid = (low + high) / 2
            if onTime(mid) >= quantile { high = mid } else { low = mid }
        }
        return high
    }
}
