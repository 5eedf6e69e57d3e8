import Foundation
import GPU
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// The agent end to end: started in-process on 127.0.0.1:0 with the stand-in, read over real HTTP.
@Suite struct GPUAgentTests {
    /// A running agent and the means to stop it.
    struct Running {
        let port: Int
        let group: ServiceGroup
        let task: Task<Void, Error>
        let lines: RecordingLogHandler.Lines

        /// Graceful shutdown, bounded: the run must return within 10 s.
        func stop() async throws {
            await group.triggerGracefulShutdown()
            let task = self.task
            try await withTimeout(10, "the agent to stop after graceful shutdown") { try await task.value }
        }
    }

    private func start(library: String) async throws -> Running {
        var configuration = GPUAgent.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.collector.libraryPath = library
        configuration.collector.minimumReadInterval = .zero
        // NVML only: the pod mapping has its own tests (GPUAgentPodMappingTests).
        configuration.podResources.enabled = false
        let (logger, lines) = RecordingLogHandler.logger()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let agent = GPUAgent(configuration: configuration, logger: logger) { address in
            continuation.yield(address.port ?? -1)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [agent], logger: logger))
        let task = Task { try await group.run() }
        let port = try await withTimeout(10, "the agent to listen") {
            guard let port = await ports.first(where: { _ in true }) else { throw CancellationError() }
            return port
        }
        #expect(port > 0)
        return Running(port: port, group: group, task: task, lines: lines)
    }

    /// The duration varies from run to run; everything else is exact.
    private func normalised(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("inferscale_gpu_read_duration_seconds ") ? "inferscale_gpu_read_duration_seconds <seconds>" : String(line)
        }.joined(separator: "\n")
    }

    @Test func servesGoldenMetricsForTwoGPUsOneLost() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs + """
            gpu 1 rc nvmlDeviceGetMemoryInfo_v2 15
            gpu 1 rc nvmlDeviceGetUtilizationRates 15

            """)
        let agent = try await start(library: standIn.path)
        let response = try await HTTPGet.request("GET", "/metrics", port: agent.port)
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let golden = try #require(Bundle.module.url(forResource: "Golden/agent-two-gpus-one-lost.prom", withExtension: nil))
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(normalised(response.body) == expected)
        #expect(response.headers["content-length"] == String(response.body.utf8.count))

        try await agent.stop()
        #expect(try standIn.counter("shutdown") == 1)
        #expect(try standIn.counter("initialised") == 0)
    }

    @Test func readsAgainOnEveryScrape() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs)
        let agent = try await start(library: standIn.path)
        let before = try await HTTPGet.request("GET", "/metrics", port: agent.port).body
        #expect(before.contains(#"inferscale_gpu_memory_free_bytes{gpu="0",uuid="GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11",model="NVIDIA H100 80GB HBM3"} 6860832768"#))
        try standIn.write(Scripts.twoGPUs.replacingOccurrences(of: "gpu 0 memory 85520809984 6860832768 78114717696", with: "gpu 0 memory 85520809984 42760404992 42215145472"))
        let after = try await HTTPGet.request("GET", "/metrics", port: agent.port).body
        #expect(after.contains(#"inferscale_gpu_memory_free_bytes{gpu="0",uuid="GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11",model="NVIDIA H100 80GB HBM3"} 42760404992"#))
        #expect(after.contains(#"inferscale_gpu_memory_used_ratio{gpu="0",uuid="GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11",model="NVIDIA H100 80GB HBM3"} 0.5"#))
        try await agent.stop()
    }

    @Test func withoutNVMLServesUpZeroAndTheReason() async throws {
        let path = "/nonexistent/inferscale-test/libnvidia-ml.so.1"
        let agent = try await start(library: path)
        let response = try await HTTPGet.request("GET", "/metrics", port: agent.port)
        #expect(response.status == 200)
        #expect(normalised(response.body) == """
            # HELP inferscale_gpu_nvml_up Whether NVML was loaded and initialised and the GPUs counted (1) or not (0).
            # TYPE inferscale_gpu_nvml_up gauge
            inferscale_gpu_nvml_up 0
            # HELP inferscale_gpu_nvml_error_info Why NVML is unavailable: the error label is library_not_found, symbol_not_found or an NVML_ERROR_* name; always 1.
            # TYPE inferscale_gpu_nvml_error_info gauge
            inferscale_gpu_nvml_error_info{error="library_not_found",function=""} 1
            # HELP inferscale_gpu_read_duration_seconds Time the last NVML pass over all GPUs took, in seconds.
            # TYPE inferscale_gpu_read_duration_seconds gauge
            inferscale_gpu_read_duration_seconds <seconds>

            """)
        try await agent.stop()
        #expect(agent.lines.at(.error).count == 1)
    }

    @Test func missingSymbolIsReportedOnMetrics() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs, omitting: ["nvmlDeviceGetHandleByIndex_v2"])
        let agent = try await start(library: standIn.path)
        let body = try await HTTPGet.request("GET", "/metrics", port: agent.port).body
        #expect(body.contains("inferscale_gpu_nvml_up 0\n"))
        #expect(body.contains(#"inferscale_gpu_nvml_error_info{error="symbol_not_found",function="nvmlDeviceGetHandleByIndex_v2"} 1"#))
        try await agent.stop()
    }

    @Test func otherPathsAndMethods() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs)
        let agent = try await start(library: standIn.path)
        #expect(try await HTTPGet.request("GET", "/healthz", port: agent.port).status == 200)
        #expect(try await HTTPGet.request("GET", "/nope", port: agent.port).status == 404)
        let post = try await HTTPGet.request("POST", "/metrics", port: agent.port)
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")
        let head = try await HTTPGet.request("HEAD", "/metrics", port: agent.port)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(try await HTTPGet.request("GET", "/metrics?x=1", port: agent.port).body.contains("inferscale_gpu_nvml_up 1\n"))
        try await agent.stop()
    }
}
