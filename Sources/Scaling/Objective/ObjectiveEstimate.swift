/// Why the objective policy asked for its count, for the decision log and `inferscale
/// explain`: what it learned of a replica, what arrives, what it forecasts one cold start
/// ahead, the count each limit needs and the count held through lulls.
public struct ObjectiveEstimate: Sendable, Equatable, Codable {
    /// Prompt tokens per second one replica processes at its limit (nil: not known yet).
    public var capacityTokensPerSecond: Double?
    /// `saturated` (seen at its limit), `busiest-seen` (a lower bound) or `none`.
    public var capacitySource: String
    /// Most sequences one replica was seen holding while requests waited (shown, not sized for).
    public var sequencesPerReplica: Double?
    /// KV-cache tokens of one replica, as the runtime reports it.
    public var kvCacheTokensPerReplica: Double?
    /// Prompt tokens arriving per second, mean over the last objective-long span.
    public var demandTokensPerSecond: Double
    /// Prompt tokens waiting now (waiting requests × mean prompt).
    public var queuedTokens: Double
    /// The prompt-token rate provisioned for (quantile of the history, or the trend one cold start ahead).
    public var forecastTokensPerSecond: Double
    /// Seconds the forecast let prompts wait: the objective less a prompt's own prefill, at
    /// least the queueing share of it (nil in records written before it was shown).
    public var queueingAllowanceSeconds: Double?
    /// The cold start planned with, seconds, and whether it was measured (else the prior).
    public var coldStartSeconds: Double
    public var coldStartMeasured: Bool
    /// Replicas each limit needs: prompt throughput, KV cache, time per output token.
    public var prefillReplicas: Int
    public var kvReplicas: Int?
    public var tpotReplicas: Int?
    /// The largest of those now, and the largest of the last cold start (the count asked for).
    public var needed: Int
    public var count: Int
}
