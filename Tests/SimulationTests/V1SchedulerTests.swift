import Testing
@testable import Simulation

/// The vLLM V1 step scheduler on steps worked out by hand. Unless a test says otherwise a step
/// costs 10 ms + 1 ms per prompt token + 2 ms per decoding sequence, the budget is 100
/// tokens, at most 4 sequences run, blocks hold 16 tokens and there are 100 of them.
@Suite struct V1SchedulerTests {
    static func settings(budget: Int = 100, seqs: Int = 4, blocks: Int = 100, perContext: Double = 0) -> ModelProfile.LLM {
        ModelProfile.LLM(stepTime: StepTime(baseSeconds: 0.010, perPrefillTokenSeconds: 0.001, perDecodeSequenceSeconds: 0.002,
                                            perContextTokenSeconds: perContext),
                         maxNumBatchedTokens: budget, maxNumSeqs: seqs, gpuBlocks: blocks, blockSize: 16, maxModelLen: 10_000)
    }

    /// One engine fed by arrivals, run event by event as the cluster model runs it.
    struct Harness {
        var engine: V1Scheduler
        var table: RequestTable
        var out = EngineOutcomes()
        var next: Double?
        var arrived = 0
        var now = 0.0

        /// `segments[i]`, when given, is request i's prompt content (for the prefix cache).
        init(_ settings: ModelProfile.LLM, _ requests: [(time: Double, prompt: Int32, output: Int32)], timeout: Double = 300,
             segments: [[PromptSegment]] = []) {
            engine = V1Scheduler(settings: settings, timeout: timeout)
            var hashes: [Int32: [UInt64]] = [:]
            for (i, s) in segments.enumerated() where !s.isEmpty {
                hashes[Int32(i)] = PrefixBlockHashes.of(s, promptTokens: Int(requests[i].prompt), blockSize: settings.blockSize)
            }
            table = RequestTable(arrival: requests.map(\.time), prompt: requests.map(\.prompt), output: requests.map(\.output),
                                 service: requests.map { _ in 0 }, prefixHashes: hashes)
        }

        mutating func run(until end: Double) {
            while true {
                let arrival = arrived < table.count ? table.arrival[arrived] : .infinity
                let event = next ?? .infinity
                let t = min(arrival, event)
                guard t <= end else { break }
                now = t
                if event < arrival {
                    next = engine.stepEnded(now: t, &table, &out)
                } else {
                    if let n = engine.enqueue(Int32(arrived), now: t) { next = n }
                    arrived += 1
                }
            }
            now = end
        }

        var metrics: (running: Int, waiting: Int, usedBlocks: Int, pendingTokens: Int) { engine.metrics(at: now) }
    }

    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 }
    }

    @Test func theBudgetIsSplitBetweenDecodesAndAChunkedPrompt() {
        // A (20 + 3 tokens) and B (250 + 2) at 0.
        // Step 1, 0–0.110: A's 20 prompt tokens, B's first 80 (the budget's rest): 10 + 100 ms.
        //   A's first token at 0.110.
        // Step 2, 0.110–0.221: A decodes (1 token), B's next 99: 10 + 99 + 2 ms.
        // Step 3, 0.221–0.304: A decodes its last token, B's last 71: 10 + 71 + 2 ms. B's first
        //   token at 0.304, A done at 0.304.
        // Step 4, 0.304–0.316: B decodes its last token: 10 + 2 ms.
        var h = Harness(Self.settings(), [(0, 20, 3), (0, 250, 2)])
        h.run(until: 0.05)
        // B mid-prefill counts as running in V1, not as waiting.
        #expect(h.metrics.running == 2 && h.metrics.waiting == 0)
        h.run(until: 0.2)
        #expect(Self.close(h.out.ttft, [0.110]))
        #expect(h.metrics.usedBlocks == 2 + 12)  // A: 20 tokens, B: 179 computed
        h.run(until: 1)
        #expect(Self.close(h.out.ttft, [0.110, 0.304]))
        #expect(Self.close(h.out.e2e, [0.304, 0.316]))
        #expect(h.out.promptTokens == 270 && h.out.generatedTokens == 5)
        #expect(h.metrics.usedBlocks == 0 && h.metrics.running == 0)
    }

    @Test func theSequenceCapStopsAdmission() {
        // At most 2 running. Three prompts of 10 (+5 output) at 0: A and B in step 1 (10 + 20 ms,
        // first tokens at 0.030), then 4 decode steps of 10 + 4 ms: both done at 0.086. C waits
        // until then: prefill 0.086–0.106, then 4 steps of 12 ms: done at 0.154.
        var h = Harness(Self.settings(seqs: 2), [(0, 10, 5), (0, 10, 5), (0, 10, 5)])
        h.run(until: 0.05)
        #expect(h.metrics.running == 2 && h.metrics.waiting == 1)
        h.run(until: 1)
        #expect(Self.close(h.out.ttft, [0.030, 0.030, 0.106]))
        #expect(Self.close(h.out.e2e, [0.086, 0.086, 0.154]))
        #expect(Self.close(h.out.waits, [0, 0, 0.086]))
    }

    @Test func kvBlocksStopAdmission() {
        // Four blocks. A (40 + 5) takes 3 in step 1 (0–0.050); B (30 + 2) needs 2 and waits.
        // A's cache grows from 40 to 44 tokens, still 3 blocks; its 4 decode steps of 12 ms end
        // at 0.098 and free them. B: prefill 0.098–0.138, one decode step: done at 0.150.
        var h = Harness(Self.settings(blocks: 4), [(0, 40, 5), (0, 30, 2)])
        h.run(until: 0.06)
        #expect(h.metrics.running == 1 && h.metrics.waiting == 1 && h.metrics.usedBlocks == 3)
        h.run(until: 1)
        #expect(Self.close(h.out.ttft, [0.050, 0.138]))
        #expect(Self.close(h.out.e2e, [0.098, 0.150]))
        #expect(h.out.preemptions == 0)
    }

    @Test func aPreemptionRecomputesTheNewestRequest() {
        // Four blocks; A and B (16 + 20 each) at 0. Step 1 (0–0.042): one block each, first
        // tokens at 0.042. Their 16-token caches need a second block each at the next step:
        // the last two. 16 decode steps of 14 ms (to 0.266) fill them (32 tokens each).
        // Step 18 needs two more blocks and none is free: B, the newest, is preempted (its 2
        // blocks freed, it goes back to waiting with 17 tokens out), A takes one and decodes
        // alone (0.266–0.278), then twice more (12 ms each): done at 0.302, its 3 blocks freed.
        // B recomputes 16 + 17 tokens (0.302–0.345), its 18th token out, then 2 decode steps: 0.369.
        var h = Harness(Self.settings(blocks: 4), [(0, 16, 20), (0, 16, 20)])
        h.run(until: 0.27)
        #expect(h.out.preemptions == 1)
        #expect(h.metrics.running == 1 && h.metrics.waiting == 1)
        h.run(until: 1)
        #expect(Self.close(h.out.ttft, [0.042, 0.042]))
        #expect(Self.close(h.out.e2e, [0.302, 0.369]))
        // Recomputed tokens are not counted twice: 20 output tokens each, 16 + 16 prompt tokens.
        #expect(h.out.generatedTokens == 40 && h.out.promptTokens == 32)
        #expect(h.metrics.usedBlocks == 0)
    }

    @Test func aPromptWhoseNextChunkFindsNoBlockPreemptsItself() {
        // Four blocks, budget 20. Step 1 (0–0.030): A's 16 prompt tokens (1 block), B's first 4
        // of 40 (1 block). Step 2 (to 0.061): A decodes into a second block, B's next 19 (2
        // blocks now): all 4 taken. Step 3 (from 0.061): B's last 17 need a third block and none
        // is free: B, the newest running request, is preempted and will recompute from the
        // start; A decodes alone (to 0.073). A is never preempted; B holds its whole prompt
        // once A is done.
        var h = Harness(Self.settings(budget: 20, blocks: 4), [(0, 16, 30), (0, 40, 2)])
        h.run(until: 0.060)
        #expect(h.out.preemptions == 0 && h.metrics.usedBlocks == 4)
        h.run(until: 0.062)
        #expect(h.out.preemptions == 1)
        #expect(h.metrics.running == 1 && h.metrics.waiting == 1)
        h.run(until: 10)
        #expect(h.out.completed == 2 && h.metrics.usedBlocks == 0)
        #expect(h.out.e2e.count == 2 && h.out.ttft.count == 2)
        // Prompts are counted once, however often B recomputed; every output token once.
        #expect(h.out.promptTokens == 56 && h.out.generatedTokens == 32)
        // A finished first and B's first token came after it.
        #expect(h.out.ttft[1] > h.out.e2e[0] - 0.010)
    }

    @Test func anArrivalCutsADecodeStretchAtTheStepInProgress() {
        // A (10 + 100): prefill 0–0.020, then decode steps of 12 ms (0.032, 0.044, 0.056, …).
        // B (10 + 2) arrives at 0.050 and is admitted in the step from 0.056: 10 + 10 + 2 ms,
        // its first token at 0.078.
        var h = Harness(Self.settings(), [(0, 10, 100), (0.050, 10, 2)])
        h.run(until: 0.07)
        #expect(h.metrics.running == 2 && h.metrics.waiting == 0)
        #expect(h.metrics.pendingTokens == 0)  // a single step is in progress: no stretch
        h.run(until: 0.079)
        #expect(Self.close(h.out.ttft, [0.020, 0.078 - 0.050]))
        // A's tokens: 1 from its prefill, 3 decode steps before B, 1 in B's step.
        #expect(h.out.generatedTokens == 1 + 3 + 1 + 1)
    }

    @Test func decodeStepsSlowAsTheContextGrows() {
        // 0.1 ms per context token. A (10 + 4): prefill 0–0.020; its 3 decode steps attend to
        // 11, 12 and 13 tokens: 12 + 1.1, 12 + 1.2, 12 + 1.3 ms; done at 0.0596.
        var h = Harness(Self.settings(perContext: 0.0001), [(0, 10, 4)])
        h.run(until: 0.045)  // inside the stretch of 3 steps: the first ended at 0.0331, the second ends at 0.0463
        #expect(h.metrics.pendingTokens == 1)
        h.run(until: 1)
        #expect(Self.close(h.out.e2e, [0.0596]))
    }

    @Test func requestsWaitingPastTheTimeoutFail() {
        // Sequence cap 1: A (10 + 50) runs 0.020 + 49 × 12 ms = 0.608 s; B waited 0.6 s > 0.5 s.
        var h = Harness(Self.settings(seqs: 1), [(0, 10, 50), (0.001, 10, 2)], timeout: 0.5)
        h.run(until: 2)
        #expect(h.out.completed == 1 && h.out.timedOut == 1)
    }

    @Test func settingsVLLMWouldRefuseAreErrors() throws {
        #expect(throws: ProfileError.self) { try ModelProfile.llama8B.overriding(maxNumBatchedTokens: 100, maxNumSeqs: 256) }
        #expect(throws: ProfileError.self) { try ModelProfile.predictive.overriding(maxNumSeqs: 8) }
        let p = try ModelProfile.llama8B.overriding(maxNumBatchedTokens: 2048, maxNumSeqs: 128, gpuBlocks: 1000)
        guard case .llm(let m) = p.kind else { Issue.record("not an LLM profile"); return }
        #expect(m.maxNumBatchedTokens == 2048 && m.maxNumSeqs == 128 && m.gpuBlocks == 1000 && m.kvCacheTokens == 16_000)
    }
}
