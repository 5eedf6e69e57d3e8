extension ModelProfile {
    /// This profile with the engine settings a deployment passes to vLLM (`--max-num-batched-tokens`,
    /// `--max-num-seqs`, the KV blocks its GPUs leave, `num_gpu_blocks`, and whether prefix
    /// caching is on); nil keeps the profile's. Throws when the profile has no engine or vLLM
    /// would refuse the settings.
    public func overriding(maxNumBatchedTokens: Int? = nil, maxNumSeqs: Int? = nil, gpuBlocks: Int? = nil,
                           enablePrefixCaching: Bool? = nil) throws(ProfileError) -> ModelProfile {
        guard maxNumBatchedTokens != nil || maxNumSeqs != nil || gpuBlocks != nil || enablePrefixCaching != nil else { return self }
        guard case .llm(var m) = kind else {
            throw ProfileError("--max-num-batched-tokens, --max-num-seqs, --gpu-blocks and --no-enable-prefix-caching set a vLLM engine; \(name) is not an LLM profile")
        }
        if let maxNumBatchedTokens { m.maxNumBatchedTokens = maxNumBatchedTokens }
        if let maxNumSeqs { m.maxNumSeqs = maxNumSeqs }
        if let gpuBlocks { m.gpuBlocks = gpuBlocks }
        if let enablePrefixCaching { m.enablePrefixCaching = enablePrefixCaching }
        try m.validate()
        var copy = self
        copy.kind = .llm(m)
        return copy
    }
}
