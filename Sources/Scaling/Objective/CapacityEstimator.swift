/// What one replica can carry, learned from what the replicas show: the prompt tokens per
/// second a replica processes while prompts wait (it is then at its limit, decode and all),
/// the sequences it holds while requests wait with KV cache to spare (the runtime's sequence
/// cap), and its KV-cache tokens (vLLM's `cache_config_info`: blocks × block size).
///
/// Prompt-token counters advance when a prefill finishes, so one second can carry a long
/// prompt's whole count; rates are therefore ratios of sums over several seconds, never one
/// second's figure.
public struct CapacityEstimator: Sendable {
    /// Saturated seconds whose sums make the prefill estimate (default 10).
    public static let saturatedSeconds = 10
    /// Seconds the ready count must have held before a saturated second counts (default 10):
    /// a replica that just became ready finishes its first prefills a step or more after it
    /// takes requests, so the seconds after a change show less than the replicas carry.
    public static let settleSeconds = 10
    /// Seconds of the moving sum behind the busiest rate seen (default 30: long enough that
    /// prefills finishing together do not read as a rate).
    public static let busiestSeconds = 30
    /// KV use above which waiting requests are held by the cache, not the sequence cap.
    public static let kvFullUse = 0.9
    /// The probe's first and largest multiple of the busiest rate seen (2 and 8).
    public static let probeFactors = (first: 2.0, largest: 8.0)

    /// Seconds without a queue after which the probe doubles (the sizer sets it to the
    /// measured cold start: a smaller count asked for shows its effect only after one).
    public var probeSpanSeconds = 120.0

    private var saturated: [(tokens: Double, podSeconds: Double)] = []
    private var recent: [(tokens: Double, podSeconds: Double)] = []
    private var wasQueued = false
    private var lastReadyPods = 0
    private var steadySeconds = 0
    private var calmSeconds = 0.0
    /// The multiple of `busiestTokensPerSecond` planned with until the replicas are seen at their limit.
    public private(set) var probeFactor = CapacityEstimator.probeFactors.first
    /// The highest per-replica prompt rate over `busiestSeconds` seen so far: a lower bound
    /// on the capacity, the probe's base until the replicas have been seen at their limit.
    public private(set) var busiestTokensPerSecond = 0.0
    /// Most sequences per replica seen while requests waited and the KV cache had room.
    public private(set) var sequencesPerReplica: Double?
    /// KV-cache tokens per replica, as the runtime reports it.
    public private(set) var kvCacheTokensPerReplica: Double?

    /// No capacity known.
    public init() {}

    /// One second of a target: prompt tokens processed (total over its ready pods), requests
    /// waiting and running (totals), mean KV use (0–1) and the KV capacity per pod, on
    /// `readyPods` pods. Nil figures were not measured.
    public mutating func observe(processedTokens: Double?, waiting: Double?, running: Double?, kvUse: Double?,
                                 kvCapacityTokens: Double?, readyPods: Int) {
        if let kv = kvCapacityTokens, kv > 0 { kvCacheTokensPerReplica = kv }
        steadySeconds = readyPods == lastReadyPods ? steadySeconds + 1 : 0
        lastReadyPods = readyPods
        guard readyPods > 0, let processed = processedTokens else { return }
        let pods = Double(readyPods)
        recent.append((processed, pods))
        if recent.count > Self.busiestSeconds { recent.removeFirst() }
        if recent.count == Self.busiestSeconds {
            busiestTokensPerSecond = max(busiestTokensPerSecond, Self.rate(recent))
        }
        // Saturated: at least one request waiting per pod, now and at the previous scrape (a
        // request caught between two steps is no queue), with KV cache to spare (requests held
        // by a full cache show the cache's limit, which the KV figure sizes, not the prefill's).
        let queued = (waiting ?? 0) >= pods
        defer { wasQueued = queued }
        if queued && wasQueued && (kvUse ?? 0) < Self.kvFullUse && steadySeconds >= Self.settleSeconds {
            saturated.append((processed, pods))
            if saturated.count > Self.saturatedSeconds { saturated.removeFirst() }
            if let running { sequencesPerReplica = max(sequencesPerReplica ?? 0, running / pods) }
        }
        // The probe: replicas that never queue show only a lower bound, and a fleet sized on a
        // lower bound never learns more; each span without a queue doubles what is assumed of
        // a replica, so the count shrinks until prompts wait and the saturated rate takes over.
        // A queue stops the doubling (the count is then near the limit) but keeps the factor.
        calmSeconds = queued ? 0 : calmSeconds + 1
        if calmSeconds >= probeSpanSeconds && probeFactor < Self.probeFactors.largest {
            probeFactor = min(Self.probeFactors.largest, 2 * probeFactor)
            calmSeconds = 0
        }
    }

    /// Prompt tokens per second one replica processes at its limit; nil when nothing is known.
    /// From the latest `saturatedSeconds` saturated seconds once there are that many (what a
    /// replica carries with the decoding it has then, which can be less than the busiest
    /// rate seen with less decoding); until then the probe, `probeFactor` × the busiest rate seen.
    public var prefillTokensPerSecond: Double? {
        if saturated.count >= Self.saturatedSeconds {
            let r = Self.rate(saturated)
            if r > 0 { return r }
        }
        return busiestTokensPerSecond > 0 ? probeFactor * busiestTokensPerSecond : nil
    }

    /// Whether `prefillTokensPerSecond` comes from replicas seen at their limit.
    public var isSaturatedEstimate: Bool { saturated.count >= Self.saturatedSeconds }

    private static func rate(_ window: [(tokens: Double, podSeconds: Double)]) -> Double {
        let pods = window.reduce(0) { $0 + $1.podSeconds }
        return pods > 0 ? window.reduce(0) { $0 + $1.tokens } / pods : 0
    }
}
