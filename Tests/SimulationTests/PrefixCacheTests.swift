import Testing
@testable import Simulation

/// Automatic prefix caching in the V1 engine, on steps worked out by hand with
/// `V1SchedulerTests`' settings (10 ms + 1 ms per prompt token + 2 ms per decoding sequence,
/// 16-token blocks) and `vllm:prefix_cache_*` counted as vLLM counts them.
@Suite struct PrefixCacheTests {
    typealias Harness = V1SchedulerTests.Harness
    static let s1 = PromptSegment(id: 1, tokens: 40)

    @Test func aCachedPromptSkipsThePrefillOfItsFullBlocks() {
        // A (40 + 2) at 0: 40 tokens, 10 + 40 ms, first token at 0.050; one decode step of
        // 12 ms, done at 0.062. Its two full blocks stay cached. B, the same prompt at 0.5,
        // finds them (32 tokens) and computes the other 8: 10 + 8 ms, its first token 18 ms
        // after it came; done 12 ms later.
        var h = Harness(V1SchedulerTests.settings(), [(0, 40, 2), (0.5, 40, 2)], segments: [[Self.s1], [Self.s1]])
        h.run(until: 1)
        #expect(V1SchedulerTests.close(h.out.ttft, [0.050, 0.018]))
        #expect(V1SchedulerTests.close(h.out.e2e, [0.062, 0.030]))
        let m = h.engine.exported(at: h.now)
        #expect(m.prefixCacheQueriesTotal == 80 && m.prefixCacheHitsTotal == 32)
        // Prompt tokens count whole prompts, cached or not.
        #expect(m.promptTokensTotal == 80)
        // Nothing runs; the cached blocks are free (usage 0) but still cached.
        #expect(m.kvCacheUsagePerc == 0)
    }

    @Test func aWhollyCachedPromptStillComputesItsLastBlock() {
        // 32 tokens, two full blocks, both cached after A. B may hit only up to one token short
        // of its prompt, in whole blocks: the first block; it computes 16 tokens (26 ms).
        let s = [PromptSegment(id: 7, tokens: 32)]
        var h = Harness(V1SchedulerTests.settings(), [(0, 32, 1), (0.5, 32, 1)], segments: [s, s])
        h.run(until: 1)
        #expect(V1SchedulerTests.close(h.out.ttft, [0.042, 0.026]))
        #expect(h.engine.exported(at: h.now).prefixCacheHitsTotal == 16)
    }

    @Test func promptsShareTheBlocksTheirCommonSegmentsFill() {
        // A system prompt of 20 tokens, then different questions of 30: only block 0 (tokens
        // 0–15) lies inside the shared part; block 1 holds both. A (50 + 3) at 0: 10 + 50 ms,
        // first token at 0.060. B (50 + 3) comes at 0.010, during that step; in step 2 it finds
        // block 0, which A's step cached, and computes 34 tokens beside A's decode: 10 + 34 +
        // 2 ms, to 0.106. Step 3 (14 ms): A's last token at 0.120; step 4 (12 ms): B's at 0.132.
        let system = PromptSegment(id: 1, tokens: 20)
        var h = Harness(V1SchedulerTests.settings(), [(0, 50, 3), (0.010, 50, 3)],
                        segments: [[system, PromptSegment(id: 2, tokens: 30)], [system, PromptSegment(id: 3, tokens: 30)]])
        h.run(until: 0.07)
        // Both hold block 0: A's 4 blocks and B's 3 new ones make 7 in use, not 8.
        #expect(h.metrics.usedBlocks == 4 + 3)
        h.run(until: 1)
        #expect(V1SchedulerTests.close(h.out.ttft, [0.060, 0.096]))
        #expect(V1SchedulerTests.close(h.out.e2e, [0.120, 0.122]))
        #expect(h.engine.exported(at: h.now).prefixCacheHitsTotal == 16)
    }

    @Test func newTokensEvictTheLongestFreeCachedBlocksLastBlockFirst() {
        // Four blocks. A (40 + 1) at 0 takes three, caches its two full ones and is done at
        // 0.050. The free queue is then: 2 unused blocks, A's block 1, A's block 0 (a request's
        // blocks are freed last one first). B (40 + 1, its own content) at 0.1 needs three: the
        // two unused and A's block 1, evicted. C, A's prompt again at 0.2, finds block 0 only:
        // it computes 24 tokens (34 ms) instead of 8.
        var h = Harness(V1SchedulerTests.settings(blocks: 4), [(0, 40, 1), (0.1, 40, 1), (0.2, 40, 1)],
                        segments: [[Self.s1], [], [Self.s1]])
        h.run(until: 1)
        #expect(V1SchedulerTests.close(h.out.ttft, [0.050, 0.050, 0.034]))
        let m = h.engine.exported(at: h.now)
        #expect(m.prefixCacheQueriesTotal == 120 && m.prefixCacheHitsTotal == 16)
        #expect(h.metrics.usedBlocks == 0)
    }

    @Test func aCachedBlockThatIsFreeCountsAgainstTheFreeBlocks() {
        // Three blocks. A (40 + 1) caches blocks 0 and 1, done at 0.050; all three are free. B
        // (A's prompt + 1 output) at 0.1 finds both and needs one new block: the hit takes the
        // two cached blocks out of the free queue, so 2 + 1 = 3 must be free, and are.
        var h = Harness(V1SchedulerTests.settings(blocks: 3), [(0, 40, 1), (0.1, 40, 1)], segments: [[Self.s1], [Self.s1]])
        h.run(until: 0.105)
        #expect(h.metrics.usedBlocks == 3)
        h.run(until: 1)
        #expect(V1SchedulerTests.close(h.out.ttft, [0.050, 0.018]))
    }

    @Test func withCachingOffEveryPromptIsComputed() {
        var settings = V1SchedulerTests.settings()
        settings.enablePrefixCaching = false
        var h = Harness(settings, [(0, 40, 2), (0.5, 40, 2)], segments: [[Self.s1], [Self.s1]])
        h.run(until: 1)
        #expect(V1SchedulerTests.close(h.out.ttft, [0.050, 0.050]))
        let m = h.engine.exported(at: h.now)
        #expect(m.prefixCacheQueriesTotal == 0 && m.prefixCacheHitsTotal == 0)
    }

    @Test func aDeploymentCanTurnCachingOff() throws {
        guard case .llm(let m) = try ModelProfile.llama8B.overriding(enablePrefixCaching: false).kind else {
            Issue.record("not an LLM profile"); return
        }
        #expect(!m.enablePrefixCaching)
        guard case .llm(let d) = ModelProfile.llama8B.kind else { Issue.record("not an LLM profile"); return }
        #expect(d.enablePrefixCaching)
    }

    @Test func blockHashesNameEveryTokenUpToTheBlocksEnd() {
        let system = PromptSegment(id: 1, tokens: 20)
        let a = PrefixBlockHashes.of([system, PromptSegment(id: 2, tokens: 30)], promptTokens: 50, blockSize: 16)
        let b = PrefixBlockHashes.of([system, PromptSegment(id: 3, tokens: 30)], promptTokens: 50, blockSize: 16)
        // 50 tokens: three full blocks, the last partial one unhashed.
        #expect(a.count == 3 && b.count == 3)
        #expect(a[0] == b[0] && a[1] != b[1] && a[2] != b[2])
        // The prompt's own tokens past its segments are in no hash; a shorter prompt is a prefix.
        #expect(PrefixBlockHashes.of([system], promptTokens: 50, blockSize: 16) == [a[0]])
        #expect(PrefixBlockHashes.of([system, PromptSegment(id: 2, tokens: 30)], promptTokens: 35, blockSize: 16) == [a[0], a[1]])
        // Fixed values, not Swift's per-process hashing: the same on every run.
        #expect(a == PrefixBlockHashes.of([system, PromptSegment(id: 2, tokens: 30)], promptTokens: 50, blockSize: 16))
        #expect(PrefixBlockHashes.of([], promptTokens: 50, blockSize: 16).isEmpty)
    }
}
