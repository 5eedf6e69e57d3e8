/// A latency objective a policy sizes replicas for, instead of per-signal targets: "the
/// `quantile` share of requests gets its first token within `ttftSeconds`". Everything else
/// the policy needs (what a replica can carry, what arrives, how long a pod takes to start)
/// it learns online from what the replicas expose, so a rule carries no per-model constants.
public struct ObjectiveSpec: Sendable, Equatable {
    /// Time-to-first-token objective, seconds (> 0).
    public var ttftSeconds: Double
    /// Share of requests that must meet it, 0.5–0.999 (default 0.95).
    public var quantile: Double
    /// Optional time-per-output-token objective, seconds per token (nil: none).
    public var tpotSeconds: Double?
    /// Seconds of demand history the forecast reads (default 600: long enough to have seen a
    /// few bursts of a bursty trace, short enough to follow a diurnal curve).
    public var historySeconds: Double
    /// Cold start assumed until one is measured from a pod's creation to its readiness
    /// (default 120 s, or the rule's `coldStart`).
    public var coldStartPriorSeconds: Double
    /// Most of a replica's KV cache the policy plans to fill, 0–1 (default 0.9: vLLM preempts
    /// when the cache is full, and a preempted request computes its prompt again).
    public var kvCacheFill: Double
    /// Least share of the TTFT objective the forecast lets prompts wait in its fluid queue,
    /// 0–1 (default 0.15, measured on the traces of docs/simulation.md); where a replica
    /// prefills fast the wait allowed is larger (`ownPrefillPrompts`).
    public var queueingShare: Double
    /// Mean prompts' worth of prefill, at one replica's learned rate, kept out of the wait the
    /// forecast allows (default 4, measured with `queueingShare`): a prompt's own prefill, the
    /// longer prompts of the quantile, and the prompts a replica prefills beside it (vLLM
    /// shares each step's token budget among them, so a burst slows every prompt in it).
    public var ownPrefillPrompts: Double

    /// An objective with the documented defaults for everything but the TTFT.
    public init(ttftSeconds: Double, quantile: Double = 0.95, tpotSeconds: Double? = nil, historySeconds: Double = 600,
                coldStartPriorSeconds: Double = 120, kvCacheFill: Double = 0.9, queueingShare: Double = 0.15,
                ownPrefillPrompts: Double = 4) {
        self.queueingShare = queueingShare
        self.ownPrefillPrompts = ownPrefillPrompts
        self.ttftSeconds = ttftSeconds
        self.quantile = quantile
        self.tpotSeconds = tpotSeconds
        self.historySeconds = historySeconds
        self.coldStartPriorSeconds = coldStartPriorSeconds
        self.kvCacheFill = kvCacheFill
    }
}
