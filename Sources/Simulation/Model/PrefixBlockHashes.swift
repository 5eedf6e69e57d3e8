/// The hashes of a prompt's full KV blocks, as far as its segments fill them, chained as vLLM V1
/// chains them (vllm/v1/core/kv_cache_utils.py, `hash_block_tokens`: a block's hash covers its
/// parent block's hash and its own tokens). Two prompts share a block's hash exactly when they
/// share every token up to that block's end, which is what lets one reuse the other's KV.
/// Blocks that the prompt's own tokens (past its segments) reach, and the last partial block,
/// get no hash: nothing else can hit them.
enum PrefixBlockHashes {
    /// One hash per full block of `blockSize` tokens that `segments` fill within the first
    /// `promptTokens` tokens, in order.
    static func of(_ segments: [PromptSegment], promptTokens: Int, blockSize: Int) -> [UInt64] {
        guard blockSize > 0, !segments.isEmpty else { return [] }
        var hashes: [UInt64] = []
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        var inBlock = 0
        var position = 0
        for s in segments where s.tokens > 0 {
            var offset = 0
            while offset < s.tokens && position < promptTokens {
                let take = min(s.tokens - offset, blockSize - inBlock, promptTokens - position)
                h = mix(mix(mix(h, s.id), UInt64(offset)), UInt64(take))
                offset += take
                position += take
                inBlock += take
                if inBlock == blockSize {
                    hashes.append(h)
                    inBlock = 0
                }
            }
        }
        return hashes
    }

    /// One round of splitmix64's finaliser over `h` and `x`: fixed across runs and platforms
    /// (Swift's `Hasher` is seeded per process), so replays stay byte-identical.
    private static func mix(_ h: UInt64, _ x: UInt64) -> UInt64 {
        var z = (h ^ x) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
