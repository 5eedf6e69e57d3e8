import Foundation
import GPU
import Logging
import ServiceLifecycle
import Testing

/// The agent end to end with the stand-in NVML and the fake kubelet (real gRPC on a unix socket): the
/// /metrics series carry the pods that hold each GPU and MIG device, and the socket's condition.
@Suite struct GPUAgentPodMappingTests {
    static let h100 = #"model="NVIDIA H100 80GB HBM3""#
    static let a100 = #"model="NVIDIA A100-SXM4-40GB""#
    static let gpu0 = #"gpu="0",uuid="GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11",\#(h100)"#
    static let gpu1 = #"gpu="1",uuid="GPU-a9f07c44-12e3-45bc-8a0d-7c6e5d4b3a29",\#(h100)"#
    static let gpu2 = #"gpu="2",uuid="GPU-3c2d1e0f-aaaa-bbbb-cccc-0123456789ab",\#(a100)"#
    static let gpu3 = #"gpu="3",uuid="GPU-77777777-0000-1111-2222-333333333333",\#(h100)"#

    /// Four GPUs: one per pod, one time-sliced between two pods, one in MIG mode with two slices, one free.
    static let script = """
        count 4
        gpu 0 name NVIDIA H100 80GB HBM3
        gpu 0 uuid GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11
        gpu 0 memory 85520809984 6860832768 78114717696 545259520
        gpu 1 name NVIDIA H100 80GB HBM3
        gpu 1 uuid GPU-a9f07c44-12e3-45bc-8a0d-7c6e5d4b3a29
        gpu 1 memory 85520809984 42760404992 42215145472 545259520
        gpu 2 name NVIDIA A100-SXM4-40GB
        gpu 2 uuid GPU-3c2d1e0f-aaaa-bbbb-cccc-0123456789ab
        gpu 2 memory 42949672960 30064771072 12348030976 537395200
        gpu 2 mig 0 MIG-11111111-2222-3333-4444-555555555555 1 0 10200547328 2147483648 8053063680
        gpu 2 mig 3 MIG-66666666-7777-8888-9999-000000000000 2 0 10200547328 10200547328 0
        gpu 3 name NVIDIA H100 80GB HBM3
        gpu 3 uuid GPU-77777777-0000-1111-2222-333333333333
        gpu 3 memory 85520809984 84974239744 0 545259520

        """

    static let pods: [FakePodResourcesServer.Entry] = [
        ("llm", "vllm-0", "server", "nvidia.com/gpu", ["GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11"]),
        ("llm", "tgi-0", "server", "nvidia.com/gpu", ["GPU-a9f07c44-12e3-45bc-8a0d-7c6e5d4b3a29::0"]),
        ("llm", "tgi-1", "server", "nvidia.com/gpu", ["GPU-a9f07c44-12e3-45bc-8a0d-7c6e5d4b3a29::1"]),
        ("batch", "small-0", "main", "nvidia.com/mig-1g.10gb", ["MIG-11111111-2222-3333-4444-555555555555"]),
        ("batch", "small-1", "main", "nvidia.com/mig-1g.10gb", ["MIG-GPU-3c2d1e0f-aaaa-bbbb-cccc-0123456789ab/2/0"]),
    ]

    struct Running {
        let port: Int
        let group: ServiceGroup
        let task: Task<Void, Error>
        let lines: RecordingLogHandler.Lines

        func metrics() async throws -> String {
            let response = try await HTTPGet.request("GET", "/metrics", port: port)
            #expect(response.status == 200)
            return response.body
        }

        func stop() async throws {
            await group.triggerGracefulShutdown()
            let task = self.task
            try await withTimeout(10, "the agent to stop after graceful shutdown") { try await task.value }
        }
    }

    private func start(library: String, socket: String, refresh: Duration) async throws -> Running {
        var configuration = GPUAgent.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.collector.libraryPath = library
        configuration.collector.minimumReadInterval = .zero
        configuration.podResources.socketPath = socket
        configuration.podResources.refreshInterval = refresh
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
        return Running(port: port, group: group, task: task, lines: lines)
    }

    @Test func seriesCarryTheHoldingPods() async throws {
        let standIn = try await StandIn(Self.script)
        let server = try await FakePodResourcesServer.start(at: try socketDirectory() + "/kubelet.sock", answering: Self.pods)
        let agent = try await start(library: standIn.path, socket: server.socketPath, refresh: .seconds(60))
        let body = try await agent.metrics()
        let expected = [
            "inferscale_gpu_pod_resources_up 1",
            "inferscale_gpu_pod_resources_unmatched_devices 0",
            // A whole GPU, one container.
            #"inferscale_gpu_memory_free_bytes{\#(Self.gpu0),allocation="exclusive",namespace="llm",pod="vllm-0",container="server"} 6860832768"#,
            #"inferscale_gpu_up{\#(Self.gpu0),allocation="exclusive",namespace="llm",pod="vllm-0",container="server"} 1"#,
            // Time-sliced: one series per holder.
            #"inferscale_gpu_memory_free_bytes{\#(Self.gpu1),allocation="shared",namespace="llm",pod="tgi-0",container="server"} 42760404992"#,
            #"inferscale_gpu_memory_free_bytes{\#(Self.gpu1),allocation="shared",namespace="llm",pod="tgi-1",container="server"} 42760404992"#,
            #"inferscale_gpu_memory_used_ratio{\#(Self.gpu1),allocation="shared",namespace="llm",pod="tgi-1",container="server"} 0.5"#,
            // MIG: the parent is not held whole; each slice has its own memory and holder.
            #"inferscale_gpu_memory_total_bytes{\#(Self.gpu2),allocation="mig"} 42949672960"#,
            #"inferscale_gpu_mig_memory_free_bytes{\#(Self.gpu2),mig_uuid="MIG-11111111-2222-3333-4444-555555555555",gpu_instance="1",compute_instance="0",allocation="exclusive",namespace="batch",pod="small-0",container="main"} 2147483648"#,
            #"inferscale_gpu_mig_memory_total_bytes{\#(Self.gpu2),mig_uuid="MIG-11111111-2222-3333-4444-555555555555",gpu_instance="1",compute_instance="0",allocation="exclusive",namespace="batch",pod="small-0",container="main"} 10200547328"#,
            #"inferscale_gpu_mig_memory_used_ratio{\#(Self.gpu2),mig_uuid="MIG-66666666-7777-8888-9999-000000000000",gpu_instance="2",compute_instance="0",allocation="exclusive",namespace="batch",pod="small-1",container="main"} 0"#,
            #"inferscale_gpu_mig_up{\#(Self.gpu2),mig_uuid="MIG-66666666-7777-8888-9999-000000000000",gpu_instance="2",compute_instance="0",allocation="exclusive",namespace="batch",pod="small-1",container="main"} 1"#,
            // Held by no pod.
            #"inferscale_gpu_memory_free_bytes{\#(Self.gpu3),allocation="free"} 84974239744"#,
        ]
        for line in expected { #expect(body.contains("\n\(line)\n"), "missing: \(line)") }
        #expect(!body.contains("inferscale_gpu_pod_resources_error_info"))
        // Every GPU series of GPU 0 has its holder; none is left bare.
        #expect(!body.contains("{\(Self.gpu0)}"))

        // Scrapes within the refresh interval share the kubelet's answer.
        for _ in 0..<4 { _ = try await agent.metrics() }
        #expect(server.calls == 1)
        try await agent.stop()
        try await server.stop()
        #expect(agent.lines.at(.error).isEmpty)
    }

    @Test func socketAbsentThenAppearingThenGone() async throws {
        let standIn = try await StandIn(Self.script)
        let socket = try socketDirectory() + "/kubelet.sock"
        let agent = try await start(library: standIn.path, socket: socket, refresh: .milliseconds(100))

        let before = try await agent.metrics()
        #expect(before.contains("\ninferscale_gpu_pod_resources_up 0\n"))
        #expect(before.contains(#"inferscale_gpu_pod_resources_error_info{error="socket_not_found",socket="\#(socket)"} 1"#))
        #expect(before.contains(#"inferscale_gpu_memory_free_bytes{\#(Self.gpu0),allocation="unknown"} 6860832768"#))
        #expect(before.contains(#"inferscale_gpu_mig_memory_free_bytes{\#(Self.gpu2),mig_uuid="MIG-11111111-2222-3333-4444-555555555555",gpu_instance="1",compute_instance="0",allocation="unknown"} 2147483648"#))
        #expect(before.contains("inferscale_gpu_nvml_up 1\n"))  // NVML is unaffected
        _ = try await agent.metrics()
        #expect(agent.lines.at(.error).count == 1)  // one line for the condition, not one per scrape
        #expect(agent.lines.at(.error).first?.contains("pod-resources socket \(socket) does not exist") == true)

        let server = try await FakePodResourcesServer.start(at: socket, answering: Self.pods)
        let after = try await poll(agent, until: "inferscale_gpu_pod_resources_up 1")
        #expect(after.contains(#"inferscale_gpu_memory_free_bytes{\#(Self.gpu0),allocation="exclusive",namespace="llm",pod="vllm-0",container="server"} 6860832768"#))
        #expect(!after.contains("inferscale_gpu_pod_resources_error_info"))
        #expect(agent.lines.at(.info).contains { $0.contains("GPU-to-pod mapping available") })

        // A pod leaving is seen at the next refresh.
        server.answer(Array(Self.pods.dropFirst()))
        _ = try await poll(agent, until: #"inferscale_gpu_memory_free_bytes{\#(Self.gpu0),allocation="free"} 6860832768"#)

        try await server.stop()
        let gone = try await poll(agent, until: "inferscale_gpu_pod_resources_up 0")
        #expect(gone.contains(#"allocation="unknown""#))
        try await agent.stop()
        #expect(agent.lines.at(.error).count >= 2)  // gone: a call in flight may see it refused before the file goes
    }

    /// Scrapes until a line appears: at most 100 scrapes, 50 ms apart (about 5 s plus the scrapes).
    private func poll(_ agent: Running, until line: String) async throws -> String {
        var last = ""
        for _ in 0..<100 {
            last = try await agent.metrics()
            if last.contains("\n\(line)\n") { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(line) after 100 scrapes; last:\n\(last)")
        return last
    }
}
