import Testing
@testable import Simulation

/// The cluster model against cases worked out by hand.
@Suite struct ClusterModelTests {
    static func predictive(slots: Int, cold: Double = 10) -> ModelProfile {
        ModelProfile(name: "test", kind: .predictive(.init(slots: slots, meanServiceSeconds: 1, serviceCV: 0)),
                     coldStartSeconds: cold, coldStartCV: 0, gpusPerReplica: 0, concurrencyTarget: 1, ttftObjectiveSeconds: 1)
    }

    static func llm(kv: Int, batch: Int = 8, slowdown: Double = 0) -> ModelProfile {
        ModelProfile(name: "test-llm", kind: .llm(.init(maxBatch: batch, prefillTokensPerSecond: 1000, decodeTokensPerSecond: 10,
                                                         decodeSlowdownPerSequence: slowdown, kvCacheTokens: kv)),
                     coldStartSeconds: 10, coldStartCV: 0, gpusPerReplica: 1, concurrencyTarget: 1, ttftObjectiveSeconds: 1)
    }

    @Test func oneSlotQueuesInArrivalOrder() {
        // Service 1 s each, arrivals at 0, 0.5 and 0.6: starts at 0, 1, 2; responses at 1, 2, 3.
        let requests = [0, 0.5, 0.6].map { TraceRequest(time: $0, serviceSeconds: 1) }
        var c = ClusterModel(profile: Self.predictive(slots: 1), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 10)
        #expect(c.ttft == [1, 1.5, 2.4])
        #expect(c.waits == [0, 0.5, 1.4])
        #expect(c.completed == 3 && c.failed == 0 && c.unfinished == 0)
        #expect(c.podSeconds == 10)
    }

    @Test func coldStartDuringABurst() {
        // No replica at first: the gateway holds requests at 1 s and 2 s; a replica asked for
        // at 0 s is ready at 10 s (cold start 10 s) and serves both at once (2 slots).
        let requests = [1.0, 2.0].map { TraceRequest(time: $0, serviceSeconds: 1) }
        var c = ClusterModel(profile: Self.predictive(slots: 2), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 0)
        c.scale(to: 1)
        c.advance(to: 5)
        #expect(c.gatewayWaiting == 2)
        #expect(c.readyCount == 0)
        #expect(c.collect() == .init())  // nothing ready: nothing scraped, never zeros
        c.advance(to: 20)
        #expect(c.ttft == [10, 9])
        #expect(c.waits == [9, 8])
        #expect(c.coldStarts == 1)
        #expect(c.podSeconds == 20)
        #expect(c.scaleEvents == [.init(time: 0, from: 0, to: 1)])
    }

    @Test func gatewayTimeoutFailsRequests() {
        let requests = [TraceRequest(time: 0, serviceSeconds: 1)]
        var c = ClusterModel(profile: Self.predictive(slots: 1), coldStartSeconds: 10, requestTimeout: 5, seed: 1,
                             requests: requests, initialReplicas: 0)
        c.advance(to: 6)
        c.expireGateway()
        #expect(c.failed == 1 && c.gatewayWaiting == 0)
        #expect(c.zeroSeconds == 6)
    }

    @Test func kvCacheAdmission() {
        // KV cache of 1,000 tokens. A (t 0): 500 + 101 tokens, prefill 0.5 s → first token at
        // 0.5, then 100 tokens at 10/s → done at 10.5. B (t 0.1): 300 + 101 does not fit
        // beside A (601 + 401 > 1,000), so it waits for A: prefill 10.5–10.8 → TTFT 10.7.
        let requests = [TraceRequest(time: 0, promptTokens: 500, outputTokens: 101),
                        TraceRequest(time: 0.1, promptTokens: 300, outputTokens: 101)]
        var c = ClusterModel(profile: Self.llm(kv: 1000), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 5)
        let sample = c.collect()
        #expect(sample[.queueDepth] == 1)
        #expect(sample[.running] == 1)
        #expect(sample[.kvCacheUtilization] == 0.601)
        #expect(c.ttft.count == 1 && abs(c.ttft[0] - 0.5) < 1e-9)
        c.advance(to: 30)
        #expect(c.ttft.count == 2 && abs(c.ttft[1] - 10.7) < 1e-9)
        #expect(abs(c.waits[1] - 10.4) < 1e-9)
        #expect(c.completed == 2)
    }

    @Test func decodeSlowsAsTheBatchGrows() {
        // Slowdown 1: two sequences decode at 10 / 2 = 5 tokens/s each. Both prompts of 100
        // tokens prefill one after the other (0–0.1, 0.1–0.2); 11 output tokens each.
        // A decodes alone 0.1–0.2 (1 token), then both at 5/s: A's other 9 tokens end at
        // 0.2 + 1.8 = 2.0, B has made 9 by then and its 10th takes 0.1 s alone → 2.1.
        let requests = [TraceRequest(time: 0, promptTokens: 100, outputTokens: 11),
                        TraceRequest(time: 0, promptTokens: 100, outputTokens: 11)]
        var c = ClusterModel(profile: Self.llm(kv: 10_000, slowdown: 1), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 1.99)
        #expect(c.completed == 0)
        c.advance(to: 2.05)
        #expect(c.completed == 1)
        c.advance(to: 2.11)
        #expect(c.completed == 2)
    }

    @Test func promptsWaitingForPrefillCountAsWaiting() {
        // Three 1,000-token prompts at 0: all fit the batch and the cache, but prefill takes
        // 1 s each, one at a time. At 0.5 s one is in prefill (running) and two wait for it.
        let requests = (0..<3).map { _ in TraceRequest(time: 0, promptTokens: 1000, outputTokens: 50) }
        var c = ClusterModel(profile: Self.llm(kv: 100_000), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 0.5)
        var sample = c.collect()
        #expect(sample[.queueDepth] == 2)
        #expect(sample[.running] == 1)
        // At 1.5 s: one decoding, one in prefill, one waiting; 1,000 prompt tokens done in 1 s.
        c.advance(to: 1.5)
        sample = c.collect()
        #expect(sample[.queueDepth] == 1)
        #expect(sample[.running] == 2)
        #expect(sample[.promptTokensPerSecond] == 1000)
        #expect(c.waits == [0, 1])
    }

    @Test func promptsLongerThanTheCacheFail() {
        let requests = [TraceRequest(time: 0, promptTokens: 900, outputTokens: 200)]
        var c = ClusterModel(profile: Self.llm(kv: 1000), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 1)
        #expect(c.failed == 1 && c.unfinished == 0)
    }

    @Test func scaleDownStopsStartingReplicasFirstAndDrainsReadyOnes() {
        let requests = [TraceRequest(time: 0, serviceSeconds: 5)]
        var c = ClusterModel(profile: Self.predictive(slots: 1), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 2)
        c.advance(to: 1)
        c.scale(to: 3)
        c.scale(to: 1)
        #expect(c.coldStarts == 1)
        #expect(c.readyCount == 1)
        // The idle ready replica stopped; the busy one finishes its request.
        c.scale(to: 0)
        #expect(c.readyCount == 0)
        c.advance(to: 10)
        #expect(c.completed == 1 && c.ttft == [5])
    }
}
