/// Every request of one target's replay and where it stands, as a structure of arrays indexed
/// by request id (one id belongs to at most one replica at a time).
struct RequestTable {
    enum State: UInt8 {
        /// Not arrived, at the gateway, or in a replica's waiting queue (preempted ones too).
        case waiting
        /// Running, its prompt (or its recompute after a preemption) not all computed yet.
        case prefill
        /// Running, one token per step.
        case decoding
        /// Finished, failed or timed out.
        case done
    }

    let arrival: [Double]
    /// Prompt tokens, at least 1.
    let prompt: [Int32]
    /// Output tokens, at least 1 (the first comes out of the prefill step).
    let output: [Int32]
    /// Seconds of service for a predictive model (0 for an LLM request).
    let service: [Double]
    var state: [State]
    /// Whether the request has been scheduled once (its queue wait ended).
    var started: [Bool]
    /// Output tokens produced so far, for a request that is not decoding (a decoding one has
    /// `offset + the replica's decode clock`).
    var generated: [Int32]
    /// For a decoding request: generated tokens minus the replica's decode clock.
    var offset: [Int32]
    /// For a request in prefill: tokens of its prompt (and earlier output) in the KV cache.
    var computed: [Int32]
    /// For a request in prefill: KV blocks it holds.
    var blocks: [Int32]
    /// For requests whose prompt has shared content (`TraceRequest.segments`): the hashes of
    /// its full KV blocks (`PrefixBlockHashes`), the prefix cache's keys.
    let prefixHashes: [Int32: [UInt64]]
    /// For a running request holding cached blocks: how many of its leading blocks those are.
    var held: [Int32: Int32] = [:]

    init(arrival: [Double], prompt: [Int32], output: [Int32], service: [Double], prefixHashes: [Int32: [UInt64]] = [:]) {
        self.arrival = arrival
        self.prompt = prompt
        self.output = output
        self.service = service
        self.prefixHashes = prefixHashes
        let n = arrival.count
        state = Array(repeating: .waiting, count: n)
        started = Array(repeating: false, count: n)
        generated = Array(repeating: 0, count: n)
        offset = Array(repeating: 0, count: n)
        computed = Array(repeating: 0, count: n)
        blocks = Array(repeating: 0, count: n)
    }

    var count: Int { arrival.count }
}

/// What a replica's engine reports as requests move through it; the cluster model adds them up.
struct EngineOutcomes {
    /// Seconds from arrival to the first token, per request, in the order they came out.
    var ttft: [Double] = []
    /// Seconds from arrival to the last token, per finished request.
    var e2e: [Double] = []
    /// Seconds from arrival to first being scheduled, per request.
    var waits: [Double] = []
    var completed = 0
    /// Requests that waited past the timeout before being scheduled.
    var timedOut = 0
    /// Prompt tokens of requests whose prefill finished (vLLM's `prompt_tokens_total`).
    var promptTokens = 0
    /// Output tokens produced (vLLM's `generation_tokens_total`).
    var generatedTokens = 0
    /// Running requests sent back to the waiting queue for lack of KV blocks (vLLM's
    /// `num_preemptions_total`).
    var preemptions = 0
}
