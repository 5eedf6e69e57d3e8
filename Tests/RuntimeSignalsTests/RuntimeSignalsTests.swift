import PodTestKit
import Exposition
import RuntimeSignals
import Testing

@Suite struct RuntimeSignalsTests {
    func fixture(_ name: String) throws -> ParsedExposition {
        var parser = ExpositionParser(format: .prometheusText)
        return try parser.parse(try Fixtures.metrics(name))
    }

    @Test(arguments: [
        ("vllm", Runtime.vllm), ("sglang", .sglang), ("tgi", .tgi), ("triton", .triton),
        ("queue-proxy-9091", .queueProxy), ("queue-proxy-9091-legacy", .queueProxy),
    ])
    func detection(_ name: String, _ expected: Runtime) throws {
        #expect(Runtime(detecting: try fixture(name)) == expected)
    }

    @Test func gpuExporterIsNoRuntime() throws {
        let parsed = try fixture("dcgm-exporter")
        #expect(Runtime(detecting: parsed) == nil)
        #expect(RuntimeSignals(from: parsed) == nil)
    }

    @Test func vllm() throws {
        let signals = try #require(RuntimeSignals(from: try fixture("vllm")))
        #expect(signals.runningRequests == 14)
        #expect(signals.queueDepth == 3)
        #expect(signals.concurrency == 17)
        #expect(signals.requestsTotal == 1200) // stop 1103 + length 95 + abort 2
        #expect(signals.promptTokensTotal == 1582063)
        #expect(signals.generationTokensTotal == 302825)
        #expect(signals.kvCacheUtilization == 0.4187)
        // cache_config_info{num_gpu_blocks="29127", block_size="16"}: the KV tokens the pod can hold.
        #expect(abs((signals.kvCacheCapacityTokens ?? 0) - 466_032) < 1e-6)
        let ttft = try #require(signals.timeToFirstToken)
        #expect(ttft.count == 1214)
        #expect(ttft.sum == 216.885645)
        #expect(ttft.buckets.first?.upperBound == 0.001)
        #expect(ttft.buckets.last?.upperBound == .infinity)
        #expect(ttft.buckets.last?.cumulativeCount == 1214)
        #expect(signals.absentSignals.isEmpty)
    }

    @Test func vllmOldCacheNameAndTwoEngines() throws {
        var parser = ExpositionParser(format: .prometheusText)
        let parsed = try parser.parse("""
            # TYPE vllm:gpu_cache_usage_perc gauge
            vllm:gpu_cache_usage_perc{engine="0",model_name="m"} 0.25
            vllm:gpu_cache_usage_perc{engine="1",model_name="m"} 0.75
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="m"} 2.0
            vllm:num_requests_waiting{engine="1",model_name="m"} 5.0

            """)
        let signals = try #require(RuntimeSignals(from: parsed))
        #expect(signals.kvCacheUtilization == 0.75) // the fullest engine
        #expect(signals.queueDepth == 7) // engines add up
        // Not exposed here, so absent rather than zero.
        #expect(signals.runningRequests == nil)
        #expect(signals.concurrency == nil)
        #expect(signals.timeToFirstToken == nil)
    }

    @Test func vllmFromOpenMetricsUsesTheSameSampleNames() throws {
        var parser = ExpositionParser(format: .openMetrics)
        let parsed = try parser.parse("""
            # TYPE vllm:prompt_tokens counter
            vllm:prompt_tokens_total{engine="0",model_name="m"} 42.0
            vllm:prompt_tokens_created{engine="0",model_name="m"} 1.7e9
            # EOF

            """)
        #expect(RuntimeSignals(from: parsed)?.promptTokensTotal == 42)
    }

    @Test func sglang() throws {
        let signals = try #require(RuntimeSignals(from: try fixture("sglang")))
        #expect(signals.runningRequests == 22)
        #expect(signals.queueDepth == 5)
        #expect(signals.concurrency == 27)
        #expect(signals.kvCacheUtilization == 0.37)
        #expect(signals.generationTokensTotal == 236515)
        #expect(signals.promptTokensTotal == 1275413)
        #expect(signals.requestsTotal == 860)
        #expect(signals.timeToFirstToken?.count == 882)
    }

    @Test func sglangTensorParallelRanksAreNotDoubleCounted() throws {
        var parser = ExpositionParser(format: .prometheusText)
        let parsed = try parser.parse("""
            sglang:num_queue_reqs{dp_rank="0",tp_rank="0"} 4.0
            sglang:num_queue_reqs{dp_rank="0",tp_rank="1"} 4.0
            sglang:num_queue_reqs{dp_rank="1",tp_rank="0"} 1.0
            sglang:num_queue_reqs{dp_rank="1",tp_rank="1"} 1.0

            """)
        #expect(RuntimeSignals(from: parsed)?.queueDepth == 5)
    }

    @Test func tgi() throws {
        let signals = try #require(RuntimeSignals(from: try fixture("tgi")))
        #expect(signals.queueDepth == 4)
        #expect(signals.runningRequests == 17)
        #expect(signals.concurrency == 21)
        #expect(signals.requestsTotal == 652)
        #expect(signals.promptTokensTotal == 678530)
        #expect(signals.generationTokensTotal == 154097)
        #expect(signals.kvCacheUtilization == nil)
        #expect(signals.timeToFirstToken == nil)
    }

    @Test func triton() throws {
        let signals = try #require(RuntimeSignals(from: try fixture("triton")))
        #expect(signals.queueDepth == 7)
        #expect(signals.runningRequests == nil)
        #expect(signals.concurrency == nil)
        #expect(signals.requestsTotal == Double(5310 + 88412 + 12 + 4 + 1 + 2)) // successes and failures of both models
        let ttft = try #require(signals.timeToFirstToken)
        #expect(ttft.buckets.map(\.upperBound) == [0.1, 0.5, 2, 5, .infinity]) // milliseconds → seconds
        #expect(ttft.sum == 1975)
        #expect(ttft.count == 5310)
        #expect(signals.promptTokensTotal == nil)
        // Two GPUs: used over total, summed.
        #expect(signals.gpuMemoryUtilization == (78114914304.0 + 4617928704) / (2 * 85520809984))
    }

    @Test func gpuMemoryOnlyWhereTheEndpointReportsIt() throws {
        #expect(try #require(RuntimeSignals(from: try fixture("vllm"))).gpuMemoryUtilization == nil)
        // The agent's families on the scraped endpoint (beside a runtime's) are read.
        let merged = """
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running 3
            # TYPE inferscale_gpu_memory_used_bytes gauge
            inferscale_gpu_memory_used_bytes{gpu="0"} 60
            # TYPE inferscale_gpu_memory_total_bytes gauge
            inferscale_gpu_memory_total_bytes{gpu="0"} 80

            """
        var parser = ExpositionParser(format: .prometheusText)
        let parsed = try parser.parse(Array(merged.utf8))
        #expect(try #require(RuntimeSignals(from: parsed)).gpuMemoryUtilization == 0.75)
    }

    @Test func kserveModelServer() throws {
        var parser = ExpositionParser(format: .prometheusText)
        let parsed = try parser.parse("""
            # TYPE request_predict_seconds histogram
            request_predict_seconds_bucket{model_name="sklearn-iris",le="0.005"} 10.0
            request_predict_seconds_bucket{model_name="sklearn-iris",le="+Inf"} 12.0
            request_predict_seconds_count{model_name="sklearn-iris"} 12.0
            request_predict_seconds_sum{model_name="sklearn-iris"} 0.3

            """)
        let signals = try #require(RuntimeSignals(from: parsed))
        #expect(signals.runtime == .kserve)
        #expect(signals.requestsTotal == 12)
        #expect(signals.queueDepth == nil && signals.concurrency == nil)
    }

    @Test(arguments: ["queue-proxy-9091", "queue-proxy-9091-legacy"])
    func queueProxy(_ name: String) throws {
        let signals = try #require(RuntimeSignals(from: try fixture(name)))
        #expect(signals.concurrency == 6)
        #expect(signals.requestsTotal == 930) // 912 with status 200 + 18 with 5xx
        #expect(signals.kvCacheUtilization == nil)
    }
}

@Suite struct KVCacheCapacityTests {
    /// Before vLLM has profiled the cache its info metric says `None`: no capacity, not zero.
    @Test func unprofiledCacheHasNoCapacity() throws {
        let body = """
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{model_name="m"} 1
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="16",num_gpu_blocks="None"} 1

            """
        var parser = ExpositionParser(format: .prometheusText)
        let signals = try #require(RuntimeSignals(from: try parser.parse(Array(body.utf8))))
        #expect(signals.kvCacheCapacityTokens == nil)
    }

    /// Two engines in one pod (data parallel) each report their cache; the pod holds both.
    @Test func enginesAddUp() throws {
        let body = """
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{model_name="m"} 1
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="100"} 1
            vllm:cache_config_info{block_size="16",engine="1",num_gpu_blocks="50"} 1

            """
        var parser = ExpositionParser(format: .prometheusText)
        let signals = try #require(RuntimeSignals(from: try parser.parse(Array(body.utf8))))
        #expect(abs((signals.kvCacheCapacityTokens ?? 0) - 2400) < 1e-6)
    }
}
