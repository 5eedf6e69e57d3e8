extension ClairvoyantBound {
    /// What one request asks of the replicas if its first token is to be in time.
    struct Demand: Equatable {
        /// Seconds from the start of the replay.
        var arrival: Double
        /// The latest end of the last step that computes its prompt, seconds: arrival +
        /// objective − its request overhead (which runs outside the engine).
        var deadline: Double
        /// The least replica-seconds of engine steps its prompt takes.
        var work: Double
    }

    /// The least cost of a computed prompt token on `m`, seconds: a step lasts at least its line
    /// (`base + perPrefillToken × p + …`, and base ≥ base × p / budget since p ≤ budget) and at
    /// least the floor per token (`StepTime.seconds`).
    static func perPromptToken(_ m: ModelProfile.LLM) -> Double {
        let s = m.stepTime
        return max(s.perPrefillTokenSeconds + s.baseSeconds / Double(max(1, m.maxNumBatchedTokens)), s.minimumPerTokenSeconds)
    }

    /// Request `r`'s demand, or nil when no schedule serves it within `objective` seconds.
    static func demand(_ r: TraceRequest, profile: ModelProfile, objective: Double) -> Demand? {
        switch profile.kind {
        case .llm(let m):
            // As `ClusterModel` counts them: at least one prompt and one output token.
            let prompt = max(1, r.promptTokens), output = max(1, r.outputTokens)
            guard prompt + output <= min(m.maxModelLen, m.kvCacheTokens) else { return nil }  // the engine rejects it
            // The prefix cache serves at most the full blocks the shared segments fill, and never
            // the block of the last token (`PrefixBlockHashes`, `V1Scheduler.prefixHit`).
            var cached = 0
            if m.enablePrefixCaching && m.blockSize > 0 && !r.segments.isEmpty {
                let shared = r.segments.reduce(0) { $0 + max(0, $1.tokens) }
                cached = min(min(shared, r.promptTokens) / m.blockSize, (prompt - 1) / m.blockSize) * m.blockSize
            }
            let computed = prompt - cached
            let s = m.stepTime
            let budget = max(1, m.maxNumBatchedTokens)
            // Its chunks run in at least ⌈computed ÷ budget⌉ steps, one after another on one replica.
            let steps = Double((computed + budget - 1) / budget)
            let fastest = max(steps * s.baseSeconds + s.perPrefillTokenSeconds * Double(computed), s.minimumPerTokenSeconds * Double(computed))
            let overhead = m.requestOverhead(promptTokens: prompt)
            guard overhead + fastest <= objective + 1e-9 else { return nil }
            return Demand(arrival: r.time, deadline: r.time + objective - overhead, work: Double(computed) * perPromptToken(m))
        case .predictive(let m):
            // The response is the first token: its service holds one of the replica's slots
            // within [arrival, arrival + objective]. Service times the model draws are not
            // known here; those requests count for nothing.
            guard let service = r.serviceSeconds else { return Demand(arrival: r.time, deadline: r.time + objective, work: 0) }
            guard service <= objective + 1e-9 else { return nil }
            return Demand(arrival: r.time, deadline: r.time + objective, work: service / Double(max(1, m.slots)))
        }
    }
}
