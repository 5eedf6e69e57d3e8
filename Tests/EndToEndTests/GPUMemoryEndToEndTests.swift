import AsyncHTTPClient
import AutoscalerCore
import ClusterAdapters
import Foundation
import Kubernetes
import KubernetesTestKit
import PodTestKit
import Rules
import Scaling
import Scraping
import Testing

/// GPU memory as `inferscale run` reads it in a cluster, on 127.0.0.1: the GPU agent's and dcgm-exporter's
/// pods are found through the fake API (by namespace and label, under inferscale's RBAC), scraped in the
/// loop's scrape round, and joined to two targets' ready pods; the GPU-memory guard reads the per-pod figures.
/// The dcgm-exporter body is the repository's fixture as is (its pod `llm/llama-predictor-…-x2kqp`); the agent
/// bodies are what `inferscale agent` writes (Sources/GPU/Exposition).
@Suite(.serialized) struct GPUMemoryEndToEndTests {
    static let llamaPod = "llama-predictor-00001-deployment-7f9c6d5b8-x2kqp"

    struct Cluster {
        var api: FakeKubernetesAPIServer
        var client: KubernetesClient
        var http: HTTPClient
        var pods: CannedMetricsServer
        var podPort: Int
        /// Node b's agent on 127.0.0.2, node c's on 127.0.0.4 (the same port, as a DaemonSet has), dcgm-exporter
        /// on node a (127.0.0.3).
        var agentB: CannedMetricsServer
        var agentC: CannedMetricsServer
        var agentPort: Int
        var dcgm: CannedMetricsServer
        var dcgmPort: Int
    }

    /// An agent's body: each (pod, share) on its own GPU; a nil share is a GPU NVML could not read.
    static func agentBody(_ gpus: [(pod: String, namespace: String, share: Double?)], freeGPU: Bool = true) -> CannedMetricsServer.Response {
        var up = ["# TYPE inferscale_gpu_up gauge"]
        var ratio = ["# TYPE inferscale_gpu_memory_used_ratio gauge"]
        for (i, gpu) in gpus.enumerated() {
            let labels = #"gpu="\#(i)",uuid="GPU-\#(gpu.namespace)-\#(gpu.pod)",model="H100",allocation="exclusive",namespace="\#(gpu.namespace)",pod="\#(gpu.pod)",container="server""#
            up.append("inferscale_gpu_up{\(labels)} \(gpu.share == nil ? 0 : 1)")
            if let share = gpu.share { ratio.append("inferscale_gpu_memory_used_ratio{\(labels)} \(share)") }
        }
        if freeGPU {
            let labels = #"gpu="\#(gpus.count)",uuid="GPU-free",model="H100",allocation="free""#
            up.append("inferscale_gpu_up{\(labels)} 1")
            ratio.append("inferscale_gpu_memory_used_ratio{\(labels)} 0.01")
        }
        return .init(body: Array((up + ratio).joined(separator: "\n").appending("\n").utf8))
    }

    static func vllm(running: Int) -> CannedMetricsServer.Response {
        .init(body: Array("""
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{model_name="m"} \(running)
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{model_name="m"} 0

            """.utf8))
    }

    /// InferenceServices `llm/llama` (one pod, on node a) and `llm/chat` (chat-0 on node b, chat-1 on node c),
    /// both with the external autoscaler class; the exporters' pods in their namespaces, plus pods the
    /// selectors must not pick (not ready, another label, another namespace).
    private func withCluster(_ body: (Cluster) async throws -> Void) async throws {
        let api = try await FakeKubernetesAPIServer.start()
        api.setRBAC(FakeRBACRule.inferscale)
        var configuration = KubernetesClientConfiguration(server: api.baseURL)
        configuration.timeouts.request = .seconds(10)
        let client = try KubernetesClient(configuration: configuration)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let pods = CannedMetricsServer(), agentB = CannedMetricsServer(), agentC = CannedMetricsServer(), dcgm = CannedMetricsServer()
        var failure: Error?
        do {
            let podPort = try await pods.start()
            let agentPort = try await agentB.start(host: "127.0.0.2", port: 0)
            _ = try await agentC.start(host: "127.0.0.4", port: agentPort)
            let dcgmPort = try await dcgm.start(host: "127.0.0.3", port: 0)
            pods.set("/metrics", Self.vllm(running: 1))
            dcgm.set("/metrics", .init(body: try Fixtures.metrics("dcgm-exporter")))
            for name in ["llama", "chat"] {
                api.put(.inferenceServices, namespace: "llm", object: [
                    "metadata": ["name": .string(name), "annotations": ["serving.kserve.io/autoscalerClass": "external"]],
                    "spec": ["predictor": ["minReplicas": 1, "maxReplicas": 4]],
                ])
            }
            api.addDeployment(namespace: "llm", name: "llama-predictor", replicas: 1, matchLabels: ["app": "llama"])
            api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 2, matchLabels: ["app": "chat"])
            api.setPod(namespace: "llm", name: Self.llamaPod, labels: ["app": "llama"], podIP: "127.0.0.1")
            api.setPod(namespace: "llm", name: "chat-0", labels: ["app": "chat"], podIP: "127.0.0.1")
            api.setPod(namespace: "llm", name: "chat-1", labels: ["app": "chat"], podIP: "127.0.0.1")
            let agentLabels = ["app.kubernetes.io/name": "inferscale", "app.kubernetes.io/component": "gpu-agent"]
            api.setPod(namespace: "inferscale-system", name: "gpu-agent-b", labels: agentLabels, podIP: "127.0.0.2")
            api.setPod(namespace: "inferscale-system", name: "gpu-agent-c", labels: agentLabels, podIP: "127.0.0.4")
            api.setPod(namespace: "inferscale-system", name: "gpu-agent-starting", labels: agentLabels, ready: false, podIP: "127.0.0.9")
            api.setPod(namespace: "inferscale-system", name: "autoscaler", labels: ["app.kubernetes.io/name": "inferscale"], podIP: "127.0.0.8")
            api.setPod(namespace: "gpu-operator", name: "nvidia-dcgm-exporter-a", labels: ["app": "nvidia-dcgm-exporter"], podIP: "127.0.0.3")
            api.setPod(namespace: "monitoring", name: "nvidia-dcgm-exporter-elsewhere", labels: ["app": "nvidia-dcgm-exporter"], podIP: "127.0.0.7")
            try await body(Cluster(api: api, client: client, http: http, pods: pods, podPort: podPort, agentB: agentB, agentC: agentC,
                                   agentPort: agentPort, dcgm: dcgm, dcgmPort: dcgmPort))
        } catch {
            failure = error
        }
        try? await http.shutdown()
        try? await client.shutdown()
        for server in [pods, agentB, agentC, dcgm] { try? await server.stop() }
        try? await api.shutdown()
        if let failure { throw failure }
    }

    private func exporterPods(_ c: Cluster) -> GPUExporterPods {
        var agent = GPUExporterPods.Configuration.Source.agent
        agent.port = c.agentPort
        var dcgm = GPUExporterPods.Configuration.Source.dcgmExporter
        dcgm.port = c.dcgmPort
        return GPUExporterPods(api: c.client, configuration: .init(sources: [agent, dcgm], refreshSeconds: 0))
    }

    private func source(_ c: Cluster) -> ScrapingMetricSource {
        var scraping = ScraperConfiguration()
        scraping.deadlineSeconds = 10  // generous: CI runs the suites in parallel on a loaded machine
        let scraper = Scraper(configuration: scraping, client: c.http)
        let exporters = exporterPods(c)
        return ScrapingMetricSource(scraper: scraper, gpu: GPUMemoryFeed(scraper: scraper) { await exporters.exporters() }) {
            Date().timeIntervalSince1970
        }
    }

    private func rules(_ c: Cluster) throws -> RuleSet {
        try RuleSet(RuleParser(file: "rules.yaml").parse("""
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: llama
                match: {namespace: llm, inferenceService: llama}
                source: {runtime: vllm, port: \(c.podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}, {signal: gpu-memory-utilization, target: 0.95}]
                  minReplicas: 1
              - name: gpu
                match: {namespace: llm}
                source: {runtime: vllm, port: \(c.podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
                  minReplicas: 1
                  guards: {gpuMemoryCeiling: 0.9}
            """))
    }

    @Test func exportersAreFoundByNamespaceLabelAndReadiness() async throws {
        try await withCluster { c in
            let found = await exporterPods(c).exporters()
            #expect(found == [
                GPUExporter(kind: .agent, url: "http://127.0.0.2:\(c.agentPort)/metrics"),
                GPUExporter(kind: .agent, url: "http://127.0.0.4:\(c.agentPort)/metrics"),
                GPUExporter(kind: .dcgmExporter, url: "http://127.0.0.3:\(c.dcgmPort)/metrics"),
            ])
            // Under inferscale's RBAC: the pods list it already has, nothing more.
            #expect(c.api.requestCount(method: "GET", pathSuffix: "/namespaces/inferscale-system/pods") >= 1)
            #expect(c.api.requestCount(method: "GET", pathSuffix: "/namespaces/gpu-operator/pods") >= 1)
        }
    }

    @Test func eachTargetGetsItsOwnPodsGPUMemoryAndTheGuardHoldsAScaleDownThatWouldOverfill() async throws {
        try await withCluster { c in
            c.agentB.set("/metrics", Self.agentBody([("chat-0", "llm", 0.6), ("chat-0", "other", 0.99)]))
            c.agentC.set("/metrics", Self.agentBody([("chat-1", "llm", 0.6)]))
            let discovery = KubernetesDiscovery(api: c.client, namespaces: ["llm"], refreshSeconds: 1)
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await c.api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
            let loop = ControlLoop(configuration: .init(), rules: try rules(c), discovery: discovery, source: source(c),
                                   actuator: KubernetesActuator(api: c.client, discovery: discovery, instance: "test"),
                                   log: try DecisionLog(path: nil))
            // Two ready pods start in panic (as KPA); the stable window (60 s) passes before any scale-down.
            var last: [String: DecisionRecord] = [:]
            for s in Int64(0)...72 {
                await loop.scrape(at: Timestamp(seconds: s))
                if s % 2 == 0 { for r in await loop.decide(at: Timestamp(seconds: s)) { last[r.target] = r } }
            }
            let chat = try #require(last["llm/chat-predictor"])
            let llama = try #require(last["llm/llama-predictor"])
            // Each target's own pods only: chat's two GPUs at 60 % (not the other namespace's chat-0 at 99 %),
            // llama's from the dcgm-exporter fixture: (74496 + 520) / (74496 + 520 + 6543) MiB.
            #expect(chat.gpuMemory?.pods.map(\.name) == ["chat-0", "chat-1"])
            #expect(chat.gpuMemory?.max == 0.6)
            #expect(llama.gpuMemory?.pods.map(\.name) == [Self.llamaPod])
            #expect(abs((llama.gpuMemory?.max ?? 0) - 75016.0 / 81559.0) < 1e-9)
            // A rule scales on it as on any signal: llama's window holds the exporter's figure.
            let input = try #require(llama.inputs.first { $0.signal == .gpuMemoryUtilization })
            #expect(abs((input.stable ?? 0) - 75016.0 / 81559.0) < 1e-5)  // linear window averages are floored to 1e-6, as Knative does
            #expect(input.stablePods == 1)
            // Load asks for 1 chat pod; one pod taking the other's 60 % would hold 120 %: held at 2.
            #expect(chat.desired == 2)
            let held = try #require(chat.clamps.first { $0.step == "guard:gpu-memory" })
            #expect(held.from == 1 && held.to == 2)
            #expect(c.api.scaleWrites.isEmpty)
            #expect(c.agentB.requests("/metrics") >= 70 && c.dcgm.requests("/metrics") >= 70)

            // The memory drops (30 % and 20 %: 50 % on the one that stays): the scale-down goes through.
            c.agentB.set("/metrics", Self.agentBody([("chat-0", "llm", 0.3)]))
            c.agentC.set("/metrics", Self.agentBody([("chat-1", "llm", 0.2)]))
            for s in Int64(73)...76 {
                await loop.scrape(at: Timestamp(seconds: s))
                if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
            }
            #expect(c.api.scaleWrites.map(\.replicas) == [1])
            #expect(c.api.replicas(namespace: "llm", deployment: "chat-predictor") == 1)
        }
    }

    @Test func aMissingGPUReadingLeavesTheSignalMissingAndAFailedNodeSparesTheOthers() async throws {
        try await withCluster { c in
            // Node b's agent fails; node c's agent cannot read chat-1's GPU. Node a (dcgm-exporter) is fine.
            c.agentB.set("/metrics", .init(status: .serviceUnavailable, body: Array("NVML down".utf8)))
            c.agentC.set("/metrics", Self.agentBody([("chat-1", "llm", nil)]))
            let rule = try #require(try rules(c).rules.last).source
            let metrics = source(c)
            func target(_ deployment: String, _ pods: [String]) -> DiscoveredTarget {
                DiscoveredTarget(description: TargetDescription(namespace: "llm", deployment: deployment, labels: [:]),
                                 pods: pods.map { PodInfo(name: $0, ip: "127.0.0.1", ready: true) }, replicas: pods.count)
            }
            let now = Timestamp(seconds: 1)
            async let chatCollect = metrics.collect(target("chat-predictor", ["chat-0", "chat-1"]), source: rule, at: now)
            async let llamaCollect = metrics.collect(target("llama-predictor", [Self.llamaPod]), source: rule, at: now)
            let (chat, llama) = await (chatCollect, llamaCollect)
            // chat: no reading for either pod (one node down, one GPU unreadable), so the signal is missing, never 0.
            #expect(chat.sample[.gpuMemoryUtilization] == nil)
            #expect(chat.gpuMemory?.pods.isEmpty == true)
            #expect(chat.gpuMemory?.missing == ["chat-0", "chat-1"])
            #expect(chat.sample[.running] != nil)
            // llama on node a is untouched by node b's failure.
            #expect(abs((llama.sample[.gpuMemoryUtilization] ?? 0) - 75016.0 / 81559.0) < 1e-9)
            // One exporter round served both targets of the round.
            #expect(c.dcgm.requests("/metrics") == 1)
            #expect(c.agentC.requests("/metrics") == 1)
        }
    }
}
