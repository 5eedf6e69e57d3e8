import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubernetesTestKit
import PodTestKit
import RemoteWriteTestKit
import Testing

/// `inferscale run` as built, against the fake Kubernetes API under inferscale's RBAC: it finds a GPU agent pod
/// by the documented labels in `--gpu-agent-namespace`, reads it, and a target's decisions carry its pods' GPU
/// memory — in `explain --url`, on `/metrics`, and in a scale-down the GPU-memory guard holds.
@Suite struct RunGPUMemoryTests {
    /// GET `url`'s body, or nil on any failure (polled until it answers).
    static func get(_ url: String) async -> String? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              (response as? HTTPURLResponse)?.statusCode == 200 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func anEmptySelectorOrABadPortIsRefusedBeforeAnythingStarts() async throws {
        let selector = try await CLIRunner.runDetached(["run", "--gpu-agent-selector", " "])
        #expect(selector.status != 0)
        #expect(selector.stderr.contains("--gpu-agent-selector must not be empty"), "\(selector.stderr)")
        let port = try await CLIRunner.runDetached(["run", "--dcgm-exporter-port", "0"])
        #expect(port.status != 0)
        #expect(port.stderr.contains("--dcgm-exporter-port must be between 1 and 65535"), "\(port.stderr)")
    }

    @Test func runJoinsTheAgentsGPUMemoryToTheTargetAndTheGuardHolds() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        api.setRBAC(FakeRBACRule.inferscale)
        let pods = CannedMetricsServer(), agent = CannedMetricsServer()
        let podPort = try await pods.start()
        let agentPort = try await agent.start(host: "127.0.0.2", port: 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-gpu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var instance: RunLeaderElectionTests.Instance?
        defer {
            instance?.kill()
            try? FileManager.default.removeItem(at: directory)
        }
        api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": "chat", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": ["minReplicas": 1]]])
        _ = api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 2, matchLabels: ["app": "chat"])
        api.setPod(namespace: "llm", name: "chat-0", labels: ["app": "chat"], podIP: "127.0.0.1")
        api.setPod(namespace: "llm", name: "chat-1", labels: ["app": "chat"], podIP: "127.0.0.1")
        api.setPod(namespace: "inferscale-system", name: "inferscale-gpu-agent-x7k2p",
                   labels: ["app.kubernetes.io/name": "inferscale", "app.kubernetes.io/component": "gpu-agent"], podIP: "127.0.0.2")
        pods.set("/metrics", .init(body: RunLeaderElectionTests.vllm(running: 1)))
        agent.set("/metrics", .init(body: Array("""
            # TYPE inferscale_gpu_up gauge
            inferscale_gpu_up{gpu="0",uuid="GPU-0",model="H100",allocation="exclusive",namespace="llm",pod="chat-0",container="server"} 1
            inferscale_gpu_up{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="chat-1",container="server"} 1
            # TYPE inferscale_gpu_memory_used_ratio gauge
            inferscale_gpu_memory_used_ratio{gpu="0",uuid="GPU-0",model="H100",allocation="exclusive",namespace="llm",pod="chat-0",container="server"} 0.6
            inferscale_gpu_memory_used_ratio{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="chat-1",container="server"} 0.5

            """.utf8)))

        let rules = directory.appendingPathComponent("rules.yaml")
        try """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: chat
                match: {namespace: llm, inferenceService: chat}
                source: {runtime: vllm, port: \(podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
                  minReplicas: 1
                  guards: {gpuMemoryCeiling: 0.9}
            """.write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try RunLeaderElectionTests.kubeconfig(api, in: directory)
        let httpPort = try await PrometheusServer.freePort()
        let debugPort = try await PrometheusServer.freePort()
        // A 6 s stable window (Knative's least), so the start-up panic of two ready pods is over in seconds.
        instance = try RunLeaderElectionTests.Instance(identity: "inferscale-gpu", arguments: [
            "--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path, "--http-host", "127.0.0.1",
            "--http-port", "\(httpPort)", "--debug-port", "\(debugPort)", "--activator-port", "0", "--push-port", "0",
            "--no-leader-election", "--config", "stable-window=6s",
            "--gpu-agent-port", "\(agentPort)", "--dcgm-exporter-namespace", "",
        ], directory: directory)

        // Load asks for one pod; chat-1 leaving would put chat-0 at 110 %: the guard holds 2.
        var explained = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let r = try await CLIRunner.runDetached(["explain", "llm/chat-predictor", "--url", "http://127.0.0.1:\(debugPort)", "--last", "1", "--timeout", "10"])
            explained = r.stdout
            if explained.contains("guard:gpu-memory") { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let log = instance?.output.suffix(3000) ?? ""
        #expect(explained.contains("  gpu memory: max 60.0%, mean 55.0% over 2 pods"), "explain:\n\(explained)\nlog:\n\(log)")
        #expect(explained.contains("    chat-0: max 60.0%, mean 60.0% of 1 GPU"))
        #expect(explained.contains("guard:gpu-memory: 1 → 2"))
        #expect(api.scaleWrites.isEmpty, "log:\n\(log)")

        let metrics = await Self.get("http://127.0.0.1:\(httpPort)/metrics") ?? ""
        #expect(metrics.contains(#"inferscale_target_gpu_memory_used_ratio{target="llm/chat-predictor",stat="max"} 0.6"#), "\(metrics.suffix(2000))")
        #expect(metrics.contains(#"inferscale_gpu_exporters{kind="agent"} 1"#))
        #expect(agent.requests("/metrics") > 0)
        // Every call it made was granted: nothing was refused with 403.
        #expect(!api.requests.contains { $0.status == 403 }, "refused: \(api.requests.filter { $0.status == 403 }.map(\.path))")

        instance?.kill()
        try? await pods.stop()
        try? await agent.stop()
        try? await api.shutdown()
    }
}
