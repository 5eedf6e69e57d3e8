extension ModelProfile {
    /// This profile with the engine settings a deployment passes to vLLM (`--max-num-batched-tokens`,
    /// `--max-num-seqs`, and the KV blocks its GPUs leave, `num_gpu_blocks`); nil keeps the
    /// profile's. Throws when the profile has no engine or vLLM would refuse the settings.
    public func overriding(maxNumBatchedTokens: Int? = nil, maxNumSeqs: Int? = nil, gpuBlocks: Int? = nil) throws(ProfileError) -> ModelProfile {
        guard maxNumBatchedTokens != nil || maxNumSeqs != nil || gpuBlocks != nil else { return self }
        guard case .llm(var m) = kind else {
            throw ProfileError("--max-num-batched-tokens, --max-num-seqs and --gpu-blocks set a vLLM engine; \(name) is not an LLM profile")
        }
        if let maxNumBatchedTokens { m.maxNumBatchedTokens = maxNumBatchedTokens }
        if let maxNumSeqs { m.maxNumSeqs = maxNumSeqs }
        if let gpuBlocks { m.gpuBlocks = gpuBlocks }
        try m.validate()
        var copy = self
        copy.kind = .llm(m)
        return copy
    }
}
