import Testing
@testable import Simulation

/// The cluster model against cases worked out by hand.
@Suite struct ClusterModelTests {
    static func predictive(slots: Int, cold: Double = 10) -> ModelProfile {
        ModelProfile(name: "test", kind: .predictive(.init(slots: slots, meanServiceSeconds: 1, serviceCV: 0)),
                     coldStartSeconds: cold, coldStartCV: 0, gpusPerReplica: 0, concurrencyTarget: 1, ttftObjectiveSeconds: 1)
    }

    /// A vLLM engine with the scheduler tests' step costs and `blocks` KV blocks of 16 tokens.
    static func llm(blocks: Int, seqs: Int = 8) -> ModelProfile {
        ModelProfile(name: "test-llm", kind: .llm(V1SchedulerTests.settings(seqs: seqs, blocks: blocks)),
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

    @Test func signalsAreVLLMV1s() {
        // Four KV blocks (see V1SchedulerTests.kvBlocksStopAdmission): A (40 + 5) runs from 0
        // and holds 3 blocks, its first token at 0.050; B (30 + 2) waits for blocks.
        let requests = [TraceRequest(time: 0, promptTokens: 40, outputTokens: 5),
                        TraceRequest(time: 0, promptTokens: 30, outputTokens: 2)]
        var c = ClusterModel(profile: Self.llm(blocks: 4), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 0.08)
        let sample = c.collect()
        #expect(sample[.queueDepth] == 1)
        #expect(sample[.running] == 1)
        #expect(sample[.kvCacheUtilization] == 0.75)
        #expect(abs(sample[.promptTokensPerSecond]! - 40 / 0.08) < 1e-9)
        // A's first token and its decode steps that ended by 0.08 (0.062, 0.074): 3 tokens.
        #expect(abs(sample[.generationTokensPerSecond]! - 3 / 0.08) < 1e-9)
        let pod = c.vllmMetrics()
        #expect(pod == [VLLMMetrics(numRequestsRunning: 1, numRequestsWaiting: 1, kvCacheUsagePerc: 0.75, promptTokensTotal: 40,
                                    generationTokensTotal: 3, numPreemptionsTotal: 0, prefixCacheQueriesTotal: 40,
                                    prefixCacheHitsTotal: 0, numGpuBlocks: 4, blockSize: 16)])
        // vLLM looks every admitted prompt up (A's 40 tokens); one that shares nothing hits nothing.
        #expect(pod[0].exposition(modelName: "m").contains("vllm:prefix_cache_queries_total{model_name=\"m\"} 40\n"))
        #expect(pod[0].exposition(modelName: "m").contains("vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"4\"} 1\n"))
        #expect(pod[0].exposition(modelName: "m").contains("vllm:num_requests_waiting{model_name=\"m\"} 1\n"))
        c.advance(to: 1)
        #expect(c.completed == 2 && c.unfinished == 0)
        #expect(c.e2e.count == 2 && abs(c.e2e[1] - 0.150) < 1e-9)
    }

    @Test func theGatewaySendsAReplicaNoMoreThanItsSequenceCap() {
        // Cap 2 running per replica: the third request waits at the gateway, not in the engine.
        let requests = (0..<3).map { _ in TraceRequest(time: 0, promptTokens: 10, outputTokens: 5) }
        var c = ClusterModel(profile: Self.llm(blocks: 100, seqs: 2), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 0.05)
        #expect(c.gatewayWaiting == 1)
        c.advance(to: 1)
        #expect(c.completed == 3 && c.gatewayWaiting == 0)
        #expect(c.ttft.count == 3 && abs(c.ttft[2] - 0.106) < 1e-9)
    }

    @Test func requestsLongerThanTheCacheFail() {
        // 4 blocks hold 64 tokens; 50 + 20 can never fit, and vLLM rejects it.
        let requests = [TraceRequest(time: 0, promptTokens: 50, outputTokens: 20)]
        var c = ClusterModel(profile: Self.llm(blocks: 4), coldStartSeconds: 10, requestTimeout: 300, seed: 1,
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
