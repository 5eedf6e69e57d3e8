/// The clairvoyant reference of a replay (`--policy oracle`): a scaler that knows every
/// arrival in advance and the replica's peak rates, and sets, each second, the fewest
/// replicas that its fluid rule says carry what is coming.
///
/// The construction, per second `t` of one target:
/// - work of a request, in replica-seconds: its prompt tokens at the cost per token of a step
///   that fills the whole token budget with prefill, plus its output tokens at the cost per
///   sequence of a decode step with a full batch (`maxNumSeqs`), without the KV-read term —
///   the cheapest any replica of the model can do them;
/// - throughput need: the work of the requests arriving in `[t, t + T)` (T: the TTFT
///   objective) spread over `T`;
/// - KV need: the prompt and output tokens of the requests in flight at `t` over a replica's
///   KV tokens, where a request is in flight from its arrival for its output tokens at the
///   step time of a batch that fills the KV cache with requests like it (with the KV-read term:
///   an estimate of the decode, not a bound — where the cache binds, the oracle is a reference,
///   not a lower bound);
/// - the count at `t` is the larger need (at least 1, as every baseline keeps), and a replica
///   is started one cold start (mean × (1 + 2 CV)) before the first second that needs it,
///   paid for while it starts, and stopped once no second within that lead needs it.
///
/// What it is: one clairvoyant schedule, not a lower bound. Its capacity is optimistic (peak
/// rates, perfect packing, no per-request overhead), but its rule is stricter than the
/// objective: it sizes for every request, asks each `T` window's arrivals to be done within
/// that window rather than by their own deadlines (up to `T` later), counts their decode work
/// there too, and starts replicas a pessimistic cold start ahead. Its replay's share over the
/// objective is measured beside its cost; a policy that lets more requests be late, or that
/// meets the deadlines by queueing a short burst on the replicas it has, can cost less
/// (docs/simulation.md, "The oracle", has the figures). What its cost does bound: the cheapest
/// clairvoyant schedule at the share over the objective its replay reaches costs no more.
/// The lower bound is `ClairvoyantBound`.
public enum OracleSchedule {
    /// Replicas to request at each whole second from 0 to `duration` (inclusive) for `requests`.
    public static func counts(_ requests: [TraceRequest], profile: ModelProfile, objectiveSeconds: Double,
                              coldStartSeconds: Double, duration: Double) -> [Int] {
        let seconds = max(1, Int(duration.rounded(.up)) + 1)
        var work = [Double](repeating: 0, count: seconds)
        var kv = [Double](repeating: 0, count: seconds + 1)
        var kvPerReplica = Double.infinity
        switch profile.kind {
        case .llm(let m):
            let s = m.stepTime
            let prompt = s.seconds(prefillTokens: m.maxNumBatchedTokens, decodeSequences: 0, contextTokens: 0) / Double(m.maxNumBatchedTokens)
            let output = s.seconds(prefillTokens: 0, decodeSequences: m.maxNumSeqs, contextTokens: 0) / Double(m.maxNumSeqs)
            kvPerReplica = Double(m.kvCacheTokens)
            for r in requests {
                let i = min(seconds - 1, max(0, Int(r.time)))
                work[i] += Double(max(1, r.promptTokens)) * prompt + Double(max(1, r.outputTokens)) * output
                // In flight from arrival for its output at the step of a batch that fills the cache
                // with requests like it (a fuller batch would not fit, a smaller one steps faster).
                let tokens = Double(max(1, r.promptTokens) + max(1, r.outputTokens))
                let batch = max(1, min(m.maxNumSeqs, Int(kvPerReplica / tokens)))
                let step = s.seconds(prefillTokens: 0, decodeSequences: batch, contextTokens: batch * Int(tokens))
                let end = min(seconds, Int((r.time + Double(max(1, r.outputTokens)) * step).rounded(.up)))
                if end > i {
                    kv[i] += tokens
                    kv[end] -= tokens
                }
            }
        case .predictive(let m):
            for r in requests {
                let i = min(seconds - 1, max(0, Int(r.time)))
                work[i] += (r.serviceSeconds ?? m.meanServiceSeconds) / Double(m.slots)
            }
        }
        let span = max(1, Int(objectiveSeconds.rounded(.up)))
        var need = [Int](repeating: 1, count: seconds)
        var windowWork = work.prefix(span).reduce(0, +)
        var inFlight = 0.0
        for t in 0..<seconds {
            inFlight += kv[t]
            let throughput = (windowWork / Double(span)).rounded(.up)
            let memory = kvPerReplica.isFinite ? (inFlight / kvPerReplica).rounded(.up) : 0
            need[t] = max(1, Int(max(throughput, memory)))
            windowWork -= work[t]
            if t + span < seconds { windowWork += work[t + span] }
        }
        // Start each replica one cold start ahead: the count at t is the most needed within the lead.
        let lead = max(0, Int((coldStartSeconds * (1 + 2 * profile.coldStartCV)).rounded(.up)))
        var counts = need
        var window: [Int] = []  // indices of a decreasing run of need over [t, t + lead]
        var next = 0
        for t in 0..<seconds {
            while next < seconds && next <= t + lead {
                while let last = window.last, need[last] <= need[next] { window.removeLast() }
                window.append(next)
                next += 1
            }
            while let first = window.first, first < t { window.removeFirst() }
            counts[t] = window.first.map { need[$0] } ?? need[t]
        }
        return counts
    }
}
