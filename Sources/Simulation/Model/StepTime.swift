/// How long one engine step of a vLLM replica takes, as a line in what the step holds:
/// `base + perPrefillToken × (prompt tokens computed) + perDecodeSequence × (sequences
/// decoding one token) + perContextToken × (context tokens those sequences attend to)`, and
/// never less than `minimumPerToken × (all tokens of the step)`. The line is the form of the
/// published BLIS fits (inference-sim/inference-sim, `beta_coeffs`) with a term for the KV
/// cache a decode step reads; the floor is the time the step's FLOPs take at the GPUs' peak,
/// which a line fitted on small steps would otherwise undercut on long prompts.
/// docs/simulation.md gives each profile's figures and their sources.
public struct StepTime: Sendable, Equatable {
    /// Seconds every step costs (reading the weights, launch and scheduling overhead).
    public var baseSeconds: Double
    /// Seconds per prompt token computed in the step (chunked prefill, recompute after a preemption).
    public var perPrefillTokenSeconds: Double
    /// Seconds per sequence that decodes one token in the step.
    public var perDecodeSequenceSeconds: Double
    /// Seconds per context token the decoding sequences attend to (the KV cache read).
    public var perContextTokenSeconds: Double
    /// Least seconds per token of a step, prompt and decode tokens alike: 2 × parameters FLOPs
    /// at the replica's peak (0: no floor).
    public var minimumPerTokenSeconds: Double

    public init(baseSeconds: Double, perPrefillTokenSeconds: Double, perDecodeSequenceSeconds: Double,
                perContextTokenSeconds: Double = 0, minimumPerTokenSeconds: Double = 0) {
        self.baseSeconds = baseSeconds
        self.perPrefillTokenSeconds = perPrefillTokenSeconds
        self.perDecodeSequenceSeconds = perDecodeSequenceSeconds
        self.perContextTokenSeconds = perContextTokenSeconds
        self.minimumPerTokenSeconds = minimumPerTokenSeconds
    }

    /// Seconds of one step with `prefillTokens` prompt tokens, `decodeSequences` sequences
    /// decoding and `contextTokens` tokens of context among them.
    public func seconds(prefillTokens: Int, decodeSequences: Int, contextTokens: Int) -> Double {
        let line = baseSeconds + perPrefillTokenSeconds * Double(prefillTokens) + perDecodeSequenceSeconds * Double(decodeSequences)
            + perContextTokenSeconds * Double(contextTokens)
        return max(line, minimumPerTokenSeconds * Double(prefillTokens + decodeSequences))
    }
}
