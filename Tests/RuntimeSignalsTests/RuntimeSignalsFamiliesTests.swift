import Exposition
import PodTestKit
import RuntimeSignals
import Testing

/// `RuntimeSignals.families(for:)` keeps every family the signals are read from: a scrape parsed with
/// that filter gives the same signals as the whole body.
@Suite struct RuntimeSignalsFamiliesTests {
    static func signals(_ bytes: [UInt8], _ runtime: Runtime, filtered: Bool) throws -> RuntimeSignals? {
        var parser = ExpositionParser(format: .prometheusText)
        let parsed = filtered ? try parser.parse(bytes, keeping: RuntimeSignals.families(for: runtime)) : try parser.parse(bytes)
        return RuntimeSignals(from: parsed, runtime: runtime)
    }

    /// Every fixture read as every runtime (most give absent signals, which must stay absent).
    @Test(arguments: Fixtures.metricNames)
    func filteredFixturesGiveTheSameSignals(_ name: String) throws {
        let bytes = try Fixtures.metrics(name)
        for runtime in Runtime.allCases {
            #expect(try Self.signals(bytes, runtime, filtered: true) == Self.signals(bytes, runtime, filtered: false), "\(name) as \(runtime)")
        }
    }

    /// The names only an older or a failing server has, which the fixtures lack.
    @Test(arguments: [
        ("# TYPE vllm:gpu_cache_usage_perc gauge\nvllm:gpu_cache_usage_perc 0.5\n# TYPE other gauge\nother 1\n", Runtime.vllm),
        ("nv_inference_request_success{model=\"m\"} 10\nnv_inference_request_failure{model=\"m\"} 2\nnv_gpu_memory_used_bytes 5\nnv_gpu_memory_total_bytes 10\n", .triton),
        ("# TYPE inferscale_gpu_memory_used_bytes gauge\ninferscale_gpu_memory_used_bytes 1\n# TYPE inferscale_gpu_memory_total_bytes gauge\ninferscale_gpu_memory_total_bytes 4\ntgi_queue_size 3\n", .tgi),
        ("# TYPE request_predict_seconds histogram\nrequest_predict_seconds_bucket{le=\"+Inf\"} 9\nrequest_predict_seconds_sum 1\nrequest_predict_seconds_count 9\n", .kserve),
    ])
    func lessCommonNamesAreKept(_ text: String, _ runtime: Runtime) throws {
        let bytes = Array(text.utf8)
        let filtered = try #require(try Self.signals(bytes, runtime, filtered: true))
        #expect(filtered == (try Self.signals(bytes, runtime, filtered: false)))
        #expect(filtered.kvCacheUtilization != nil || filtered.requestsTotal != nil || filtered.queueDepth != nil)
    }

    @Test func gpuMemoryIsKeptForEveryRuntime() {
        for runtime in Runtime.allCases {
            #expect(RuntimeSignals.families(for: runtime).keeps("nv_gpu_memory_used_bytes"), "\(runtime)")
            #expect(RuntimeSignals.families(for: runtime).keeps("inferscale_gpu_memory_total_bytes"), "\(runtime)")
        }
        #expect(!RuntimeSignals.families(for: .vllm).keeps("vllm:e2e_request_latency_seconds"))
    }
}
