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

/// Ownership that changes while inferscale runs, end to end on the fake API and pods on 127.0.0.1: an operator's
/// pause set and lifted, a Deployment that goes away and comes back, a multi-node LLMInferenceService scaled
/// through its LeaderWorkerSet's scale subresource (LeaderWorkerSet's CRD declares `scale` with
/// `labelSelectorPath: .status.hpaPodSelector`, `sigs.k8s.io/lws` `api/leaderworkerset/v1/leaderworkerset_types.go`).
extension OwnershipEndToEndTests {
    func putChat(_ h: Harness, annotations: [String: String]) {
        h.api.put(.inferenceServices, namespace: "llm", object: [
            "metadata": ["name": "chat", "annotations": .object(annotations.mapValues { .string($0) })],
            "spec": ["predictor": ["minReplicas": 1, "maxReplicas": 8]],
        ])
    }

    /// `inferscale.dev/paused` set on a running target stops its patches at the next discovery refresh (every tick
    /// here), while decisions go on; lifting it resumes them with the windows it kept.
    @Test func pausingARunningTargetStopsPatchesAndLiftingItResumesThem() async throws {
        try await withHarness { h in
            let external = ["serving.kserve.io/autoscalerClass": "external"]
            addChat(h, annotations: external)
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) {
                await ticks(loop, 0...12)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4)
                let writes = h.api.scaleWrites.count
                putChat(h, annotations: external.merging(["inferscale.dev/paused": "true"]) { a, _ in a })
                h.pods.set("/metrics", Self.vllm(running: 80))
                await ticks(loop, 13...24)
                #expect(h.api.scaleWrites.count == writes, "patched while paused")
                let paused = try #require(await loop.status().first)
                #expect(paused.control == "paused")
                #expect(paused.desired == 8)
                putChat(h, annotations: external)
                await ticks(loop, 25...28)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 8)
                #expect(await loop.status().first?.control == "owned")
            }
        }
    }

    /// An operator who pauses inferscale does so to scale by hand: their changes are not another writer's, and the
    /// target stays paused rather than turning "skipped: another writer" with a Warning Event.
    @Test func replicasChangedByHandWhilePausedAreNoConflict() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external", "inferscale.dev/paused": "true"])
            let (loop, discovery) = try makeLoop(h)
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await h.api.waitUntil("pod and deployment watches", timeout: .seconds(20)) { $0.openWatchCount >= 2 }
            await ticks(loop, 0...4)
            for (round, replicas) in [3, 5, 2].enumerated() {
                h.api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: replicas)
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline, await discovery.pods(of: "llm/chat-predictor")?.replicas != replicas {
                    try await Task.sleep(for: .milliseconds(20))
                }
                await ticks(loop, Int64(5 + round * 4)...Int64(8 + round * 4))
                #expect(await discovery.pods(of: "llm/chat-predictor")?.replicas == replicas)
            }
            let status = try #require(await loop.status().first)
            #expect(status.control == "paused", "\(String(describing: status.skipReason))")
            #expect(h.api.scaleWrites.isEmpty)
            #expect(notScalingEvents(h).isEmpty)
        }
    }

    /// A predictor Deployment deleted under a running target makes it a skipped target with the reason, never an
    /// error or a patch; when KServe creates it again, the target is scaled at once from the load it kept seeing.
    @Test func aDeploymentThatDisappearsIsSkippedAndScaledAgainWhenItReturns() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external"])
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) {
                await ticks(loop, 0...12)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4)
                #expect(h.api.delete(.deployments, namespace: "llm", name: "chat-predictor"))
                let writes = h.api.scaleWrites.count
                await ticks(loop, 13...20)
                let gone = try #require(await loop.status().first)
                #expect(gone.control == "skipped")
                #expect(gone.skipReason?.contains("chat-predictor does not exist") == true, "\(String(describing: gone.skipReason))")
                #expect(h.api.scaleWrites.count == writes)
                h.api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 1, matchLabels: ["app": "isvc.chat-predictor"])
                await ticks(loop, 21...24)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4)
                #expect(await loop.status().first?.control == "owned")
            }
        }
    }

    /// An LLMInferenceService with `spec.worker` runs as a LeaderWorkerSet `<name>-kserve-mn`; inferscale finds its
    /// pods by the selector the scale subresource reports and scales it through `leaderworkersets/scale`.
    @Test func aMultiNodeLLMInferenceServiceIsScaledThroughItsLeaderWorkerSet() async throws {
        try await withHarness { h in
            h.api.put(.llmInferenceServices, namespace: "llm", object: [
                "metadata": ["name": "big"],
                "spec": ["model": ["uri": "hf://meta-llama/Llama-3.1-405B-Instruct"], "worker": ["containers": []]],
            ])
            h.api.put(.leaderWorkerSets, namespace: "llm", object: [
                "metadata": ["name": "big-kserve-mn"],
                "spec": ["replicas": 1, "leaderWorkerTemplate": ["size": 2]],
                "status": ["replicas": 1, "hpaPodSelector": "leaderworkerset.sigs.k8s.io/name=big-kserve-mn,leaderworkerset.sigs.k8s.io/worker-index=0"],
            ])
            h.api.setPod(namespace: "llm", name: "big-kserve-mn-0",
                         labels: ["leaderworkerset.sigs.k8s.io/name": "big-kserve-mn", "leaderworkerset.sigs.k8s.io/worker-index": "0"],
                         podIP: "127.0.0.1")
            h.pods.set("/metrics", Self.vllm(running: 30))
            let rules = try RuleSet(RuleParser(file: "rules.yaml").parse("""
                apiVersion: inferscale.dev/v1
                kind: ScalingRules
                rules:
                  - name: big
                    match: {namespace: llm, llmInferenceService: big}
                    source: {runtime: vllm, port: \(h.podPort), queueProxy: false}
                    policy:
                      metrics: [{signal: running, target: 10}]
                      maxReplicas: 6
                """))
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 0)
            let loop = ControlLoop(
                configuration: .init(), rules: rules, discovery: discovery,
                source: ScrapingMetricSource(scraper: Scraper(configuration: ScraperConfiguration(), client: h.http)) { Date().timeIntervalSince1970 },
                actuator: KubernetesActuator(api: h.client, discovery: discovery, instance: "test"), log: try DecisionLog(path: nil))
            try await withPodWatch(h, discovery) { await ticks(loop, 0...12) }
            let status = try #require(await loop.status().first)
            #expect(status.target == "llm/big-kserve-mn")
            #expect(status.rule == "big")
            #expect(status.control == "owned", "\(String(describing: status.skipReason))")
            #expect(status.readyPods == 1)
            let lws = h.api.object(.leaderWorkerSets, namespace: "llm", name: "big-kserve-mn")
            #expect(lws?[path: ["spec", "replicas"]]?.intValue == 3)
            #expect(h.api.requests.contains { $0.method == "PATCH" && $0.path.hasSuffix("/leaderworkersets/big-kserve-mn/scale") && $0.status == 200 })
        }
    }
}

extension ScaleDownOrderTests {
    /// Deletion costs are written only when they change, and a refused pod patch (no RBAC for it) is logged and the
    /// scale-down still goes through.
    @Test func deletionCostsAreWrittenOnlyWhenChangedAndARefusedPatchDoesNotStopTheScaleDown() async throws {
        try await FakeCluster.with(endpoints: 1) { c in
            let api = c.api
            let book = PodWorkBook()
            let discovery = KubernetesDiscovery(api: c.client, namespaces: ["llm"], refreshSeconds: 0)
            let actuator = KubernetesActuator(api: c.client, discovery: discovery, instance: "test", book: book)
            api.put(.inferenceServices, namespace: "llm", object: [
                "metadata": ["name": "chat", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": [:]],
            ])
            api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 4, matchLabels: ["app": "chat"])
            for name in ["chat-a", "chat-b", "chat-c", "chat-d"] {
                api.setPod(namespace: "llm", name: name, labels: ["app": "chat"], podIP: "127.0.0.1")
            }
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline, await discovery.pods(of: "llm/chat-predictor")?.pods.count != 4 {
                _ = try await discovery.targets()
                try await Task.sleep(for: .milliseconds(20))
            }
            let target = try #require(try await discovery.targets().first)
            #expect(target.pods.count == 4)
            await book.record(target.key, ["chat-a": 9, "chat-b": 1, "chat-c": 8, "chat-d": 2])
            func podPatches() -> Int { api.requests.filter { $0.method == "PATCH" && $0.path.contains("/pods/") }.count }

            try await actuator.scale(target.description, to: 3, reason: "test")
            #expect(podPatches() == 4)
            // The same loads again: nothing to write before the next scale-down.
            try await actuator.scale(target.description, to: 2, reason: "test")
            #expect(podPatches() == 4)
            #expect(api.replicas(namespace: "llm", deployment: "chat-predictor") == 2)

            // One pod's load changes, and pods may no longer be patched: the PATCH is refused, the scale-down goes on.
            await book.record(target.key, ["chat-a": 9, "chat-b": 5, "chat-c": 8, "chat-d": 2])
            api.setRBAC(FakeRBACRule.inferscale.map { rule in
                var r = rule
                if r.resources == ["pods"] { r.verbs.remove("patch") }
                return r
            })
            try await actuator.scale(target.description, to: 1, reason: "test")
            #expect(api.requests.contains { $0.method == "PATCH" && $0.path.contains("/pods/chat-b") && $0.status == 403 })
            #expect(api.replicas(namespace: "llm", deployment: "chat-predictor") == 1)
        }
    }
}
