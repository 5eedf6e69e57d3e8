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

/// Who owns a target's replicas, end to end on the fake API server and pods on 127.0.0.1. The contract the
/// fake's objects follow is KServe's: only `serving.kserve.io/autoscalerClass: external` hands a predictor's
/// replicas to a third party (`pkg/controller/v1beta1/inferenceservice/reconcilers/deployment/
/// deployment_reconciler.go`, `reconcilers/hpa/hpa_reconciler.go`); LLMInferenceService workloads are left
/// to one only while `replicas` and `scaling` are unset (`pkg/controller/v1alpha1/llmisvc/workload.go`).
@Suite(.serialized) struct OwnershipEndToEndTests {
    struct Harness {
        var api: FakeKubernetesAPIServer
        var client: KubernetesClient
        var pods: CannedMetricsServer
        var prefillPods: CannedMetricsServer
        var http: HTTPClient
        var podPort: Int
        var prefillPort: Int
    }

    func withHarness(_ body: (Harness) async throws -> Void) async throws {
        try await FakeCluster.with(endpoints: 2) { c in
            try await body(Harness(api: c.api, client: c.client, pods: c.endpoints[0], prefillPods: c.endpoints[1], http: c.http,
                                   podPort: c.ports[0], prefillPort: c.ports[1]))
        }
    }

    static func vllm(running: Int, waiting: Int = 0) -> CannedMetricsServer.Response {
        .init(body: Array("""
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{model_name="m"} \(running)
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{model_name="m"} \(waiting)

            """.utf8))
    }

    /// An InferenceService `llm/chat` with `annotations`, its predictor Deployment (1 replica) and a ready pod
    /// that reports 40 running requests (4 replicas at the rule's 10 per pod).
    func addChat(_ h: Harness, annotations: [String: String], predictor: JSONValue = ["minReplicas": 1, "maxReplicas": 8]) {
        h.api.put(.inferenceServices, namespace: "llm", object: [
            "metadata": ["name": "chat", "annotations": .object(annotations.mapValues { .string($0) })],
            "spec": ["predictor": predictor],
        ])
        h.api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 1, matchLabels: ["app": "isvc.chat-predictor"])
        h.api.setPod(namespace: "llm", name: "chat-predictor-1", labels: ["app": "isvc.chat-predictor"], podIP: "127.0.0.1")
        h.pods.set("/metrics", Self.vllm(running: 40))
    }

    func rules(_ h: Harness) throws -> RuleSet {
        try RuleSet(RuleParser(file: "rules.yaml").parse("""
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: chat
                match: {namespace: llm, inferenceService: chat}
                source: {runtime: vllm, port: \(h.podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
              - name: prefill
                match: {namespace: llm, role: prefill}
                source: {runtime: vllm, port: \(h.prefillPort), queueProxy: false}
                policy:
                  metrics: [{signal: queue-depth, target: 4}]
                  maxReplicas: 10
              - name: decode
                match: {namespace: llm, role: decode}
                source: {runtime: vllm, port: \(h.podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
                  maxReplicas: 10
            """))
    }

    func makeLoop(_ h: Harness, refreshSeconds: Double = 0, conflicts: KubernetesDiscovery.ConflictSettings = .init()) throws -> (ControlLoop, KubernetesDiscovery) {
        let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: refreshSeconds, conflicts: conflicts)
        let loop = ControlLoop(
            configuration: .init(), rules: try rules(h), discovery: discovery,
            source: ScrapingMetricSource(scraper: Scraper(configuration: ScraperConfiguration(), client: h.http)) { Date().timeIntervalSince1970 },
            actuator: KubernetesActuator(api: h.client, discovery: discovery, instance: "test"), log: try DecisionLog(path: nil))
        return (loop, discovery)
    }

    /// Scrape ticks every simulated second and decide ticks every other one, over real HTTP.
    func ticks(_ loop: ControlLoop, _ range: ClosedRange<Int64>) async {
        for s in range {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
    }

    func withPodWatch<T>(_ h: Harness, _ discovery: KubernetesDiscovery, _ body: () async throws -> T) async throws -> T {
        let watching = Task { await discovery.watchPods() }
        defer { watching.cancel() }
        try await h.api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
        return try await body()
    }

    func notScalingEvents(_ h: Harness) -> [JSONValue] {
        h.api.objects(.events, namespace: "llm").filter { $0["reason"]?.stringValue == "NotScaling" }
    }

    // MARK: - The autoscaler-class contract

    @Test func externalClassIsScaled() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external", "serving.kserve.io/deploymentMode": "Standard"])
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) { await ticks(loop, 0...12) }
            #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4)
            #expect(await loop.status().first?.control == "owned")
            #expect(notScalingEvents(h).isEmpty)
        }
    }

    @Test(arguments: [
        (["serving.kserve.io/autoscalerClass": "hpa"], "autoscalerClass hpa"),
        (["serving.kserve.io/autoscalerClass": "keda"], "autoscalerClass keda"),
        (["serving.kserve.io/autoscalerClass": "none"], "autoscalerClass none"),
        ([String: String](), "no serving.kserve.io/autoscalerClass"),
        (["serving.kserve.io/autoscalerClass": "vpa"], "unknown autoscalerClass \"vpa\""),
        (["serving.kserve.io/autoscalerClass": "external", "serving.kserve.io/deploymentMode": "Serverless"], "Serverless mode"),
        (["serving.kserve.io/autoscalerClass": "external", "serving.kserve.io/stop": "true"], "stopped"),
        (["serving.kserve.io/autoscalerClass": "external", "inferscale.dev/paused-replicas": "abc"], "not a replica count"),
    ])
    func otherClassesAndSkipReasonsAreNeverPatched(annotations: [String: String], reason: String) async throws {
        try await withHarness { h in
            addChat(h, annotations: annotations)
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) { await ticks(loop, 0...12) }
            #expect(h.api.scaleWrites.isEmpty)
            let status = try #require(await loop.status().first)
            #expect(status.control == "skipped")
            #expect(status.skipReason?.contains(reason) == true, "\(String(describing: status.skipReason))")
            // One Warning Event on the InferenceService, however many ticks ran.
            let events = notScalingEvents(h)
            #expect(events.count == 1)
            #expect(events.first?[path: ["involvedObject", "kind"]]?.stringValue == "InferenceService")
            #expect(events.first?["type"]?.stringValue == "Warning")
            #expect(events.first?["message"]?.stringValue?.contains(reason) == true)
        }
    }

    /// KServe 0.9+ names the predictor Deployment `<isvc>-predictor`, earlier releases `<isvc>-predictor-default`;
    /// discovery finds either, with the InferenceService's scaling fields as the target's bounds.
    @Test func predictorDeploymentsOfBothNamingsAreFound() async throws {
        try await withHarness { h in
            let external: JSONValue = ["serving.kserve.io/autoscalerClass": "external", "serving.kserve.io/deploymentMode": "RawDeployment"]
            h.api.put(.inferenceServices, namespace: "llm", object: [
                "metadata": ["name": "llama", "annotations": external],
                "spec": ["predictor": ["minReplicas": 1, "maxReplicas": 6, "scaleMetric": "concurrency", "scaleTarget": 4]],
            ])
            h.api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": "old", "annotations": external], "spec": ["predictor": [:]]])
            h.api.addDeployment(namespace: "llm", name: "llama-predictor", replicas: 2, matchLabels: ["app": "llama"])
            h.api.addDeployment(namespace: "llm", name: "old-predictor-default", replicas: 1, matchLabels: ["app": "old"])
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 0)
            let targets = try await discovery.targets()
            #expect(targets.map(\.key) == ["llm/llama-predictor", "llm/old-predictor-default"])
            #expect(targets.allSatisfy { $0.control == .owned })
            #expect(targets[0].replicas == 2)
            #expect(targets[0].description.maxReplicas == 6 && targets[0].description.scaleTarget == 4)
            #expect(targets[0].description.inferenceService == "llama")
        }
    }

    @Test func multiNodeAndMissingDeploymentAreSkippedWithTheirReason() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external"],
                    predictor: ["minReplicas": 1, "workerSpec": ["tensorParallelSize": 8]])
            h.api.put(.inferenceServices, namespace: "llm", object: [
                "metadata": ["name": "pending", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": [:]],
            ])
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) { await ticks(loop, 0...6) }
            let status = await loop.status()
            #expect(status.first { $0.target == "llm/chat-predictor" }?.skipReason?.contains("multi-node") == true)
            #expect(status.first { $0.target == "llm/pending-predictor" }?.skipReason?.contains("does not exist") == true)
            #expect(h.api.scaleWrites.isEmpty)
        }
    }

    // MARK: - Conflicting owners

    /// An HPA that appears on an `external` target stops inferscale's patches within one discovery refresh;
    /// removing it resumes them. KEDA's CRD is not installed here: its 404 means "no ScaledObject".
    @Test func anHPAOnTheTargetStopsPatchesAndItsRemovalResumesThem() async throws {
        try await withHarness { h in
            h.api.uninstall(.scaledObjects)
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external"])
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) {
                await ticks(loop, 0...12)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4)
                h.api.addAutoscaler(namespace: "llm", name: "chat-hpa", target: "chat-predictor")
                h.pods.set("/metrics", Self.vllm(running: 80))
                await ticks(loop, 13...30)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4, "patched while an HPA owns it")
                let status = try #require(await loop.status().first)
                #expect(status.skipReason?.contains("HorizontalPodAutoscaler chat-hpa") == true)
                h.api.delete(.horizontalPodAutoscalers, namespace: "llm", name: "chat-hpa")
                await ticks(loop, 31...44)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 8)
            }
        }
    }

    @Test func aScaledObjectOnARuleNamedDeploymentIsAConflict() async throws {
        try await withHarness { h in
            h.api.addDeployment(namespace: "llm", name: "web", replicas: 1, matchLabels: ["app": "web"])
            h.api.addAutoscaler(.scaledObjects, namespace: "llm", name: "web-keda", target: "web")
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 0, namedDeployments: { [("llm", "web")] })
            let target = try #require(try await discovery.targets().first)
            guard case .skipped(let reason) = target.control else { Issue.record("not skipped: \(target.control)"); return }
            #expect(reason.contains("ScaledObject web-keda"))
        }
    }

    /// A second writer that keeps resetting the replicas (as an HPA would) is noticed; after it repeats,
    /// inferscale leaves the target alone instead of patching it back every tick.
    @Test func anotherWriterIsNoticedAndTheTargetLeftAlone() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external"])
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) {
                await ticks(loop, 0...12)
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4)
                let writesBefore = h.api.scaleWrites.count
                for round in 0..<3 {
                    h.api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: 2)  // the other writer
                    await ticks(loop, Int64(13 + round * 10)...Int64(22 + round * 10))
                }
                #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 2)
                // Patched back once after the first foreign change, then left alone.
                #expect(h.api.scaleWrites.count - writesBefore == 1)
                let status = try #require(await loop.status().first)
                #expect(status.skipReason?.contains("another writer") == true)
            }
        }
    }

    /// A follower counts no foreign change (a server that records no owner leaves it unable to tell the leader's
    /// writes from another autoscaler's; the soak found followers marking every scaled target "another writer"
    /// and, once leading, leaving them alone for 300 s). Once it leads, changes by another manager count.
    @Test func aFollowerTakesTheLeadersWritesAsExpectedAndDetectsOthersOnceLeading() async throws {
        actor Leading {
            var now = false
            func set(_ value: Bool) { now = value }
        }
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external"])
            let leading = Leading()
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 0, isLeader: { await leading.now })
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await h.api.waitUntil("pod and deployment watches", timeout: .seconds(20)) { $0.openWatchCount >= 2 }
            func settled(_ replicas: Int) async -> Bool {
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline {
                    if await discovery.pods(of: "llm/chat-predictor")?.replicas == replicas { return true }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return false
            }
            _ = try await discovery.targets()
            for replicas in [3, 5, 2, 6] {  // another autoscaler scaling while this replica follows
                h.api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: replicas)
                #expect(await settled(replicas))
                #expect(try await discovery.targets().first?.control == .owned)
            }
            await leading.set(true)
            for replicas in [4, 1] {  // now someone else's
                h.api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: replicas)
                #expect(await settled(replicas))
            }
            let control = try await discovery.targets().first?.control
            guard case .skipped(let reason)? = control else {
                Issue.record("two foreign changes while leading should leave the target alone; control is \(String(describing: control))")
                return
            }
            #expect(reason.contains("another writer"))
        }
    }

    /// The soak's last false conflict: a replica whose Deployment watch was down while the other led takes over and
    /// re-reads the Deployment; the old leader's writes arrive as changes it did not make. The API server records
    /// them under inferscale's field manager (the same for every replica), so they are inferscale's own, however
    /// late they are seen; another manager's changes (an HPA's, through `/scale`) still count.
    @Test func aNewLeaderTakesTheOldLeadersWritesSeenOnlyOnARereadAsItsOwn() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external"])
            // Leading from the start, with no Deployment watch: every change is seen on a refresh only.
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 0)
            #expect(try await discovery.targets().first?.control == .owned)
            let oldLeader = ScaleUpdater(api: h.client)  // the other replica: another process, the same field manager
            for replicas in [3, 5, 2, 6] {
                _ = try await oldLeader.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: replicas)
                let target = try #require(try await discovery.targets().first)
                #expect(target.replicas == replicas)
                #expect(target.control == .owned, "inferscale's own write (\(replicas)) taken for another writer's")
            }
            let deployment = try await h.client.getDeployment(namespace: "llm", name: "chat-predictor")
            #expect(deployment.metadata.managedFields?.replicasManager == "inferscale")
            for replicas in [4, 1] {  // an HPA's writes through /scale
                h.api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: replicas)
                _ = try await discovery.targets()
            }
            let control = try await discovery.targets().first?.control
            guard case .skipped(let reason)? = control else {
                Issue.record("two changes by kube-controller-manager should leave the target alone; control is \(String(describing: control))")
                return
            }
            #expect(reason.contains("another writer"))
        }
    }

    /// The Deployment watch sees another writer within about a second, long before the next refresh (an hour
    /// here), and after its second change the target is left alone.
    @Test func anotherWriterIsSeenWithinASecondByTheDeploymentWatch() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external"])
            let (loop, discovery) = try makeLoop(h, refreshSeconds: 3600)
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await h.api.waitUntil("pod and deployment watches", timeout: .seconds(20)) { $0.openWatchCount >= 2 }
            await ticks(loop, 0...12)
            #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 4)
            func control() async -> TargetControl? { try? await discovery.targets().first?.control }
            func within(_ seconds: Double, _ check: () async -> Bool) async -> Bool {
                let deadline = ContinuousClock.now + .seconds(seconds)
                while ContinuousClock.now < deadline {
                    if await check() { return true }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return false
            }
            h.api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: 2)
            #expect(await within(1.5) { await discovery.pods(of: "llm/chat-predictor")?.replicas == 2 })
            #expect(await control() == .owned)  // one change is reported, not yet a reason to back off
            h.api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: 3)
            let backedOff = await within(1.5) {
                if case .skipped(let reason)? = await control() { return reason.contains("another writer") }
                return false
            }
            #expect(backedOff)
            let writes = h.api.scaleWrites.count
            await ticks(loop, 13...20)
            #expect(h.api.scaleWrites.count == writes)
        }
    }

    // MARK: - Hands off on request

    @Test func pausedTargetsAreDecidedButNotPatched() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external", "inferscale.dev/paused": "true"])
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) { await ticks(loop, 0...12) }
            #expect(h.api.scaleWrites.isEmpty)
            let status = try #require(await loop.status().first)
            #expect(status.control == "paused")
            #expect(status.desired == 4)
            let record = try #require(await loop.decisions(for: "llm/chat-predictor").last)
            #expect(record.clamps.last?.step == "paused")
        }
    }

    @Test func pausedReplicasHoldTheCount() async throws {
        try await withHarness { h in
            addChat(h, annotations: ["serving.kserve.io/autoscalerClass": "external", "inferscale.dev/paused-replicas": "3"])
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) { await ticks(loop, 0...12) }
            #expect(h.api.replicas(namespace: "llm", deployment: "chat-predictor") == 3)
            #expect(await loop.status().first?.pausedReplicas == 3)
        }
    }

    // MARK: - LLMInferenceService

    /// A disaggregated LLMInferenceService: its prefill and decode Deployments are separate targets with their
    /// roles, and a prompt burst (queued prompts at the prefill pods) scales prefill while decode stays; decode
    /// follows when the sequences reach it.
    @Test func prefillAndDecodeScaleIndependently() async throws {
        try await withHarness { h in
            h.api.put(.llmInferenceServices, namespace: "llm", object: [
                "metadata": ["name": "llama"],
                "spec": ["model": ["uri": "hf://meta-llama/Llama-3.1-8B-Instruct"], "prefill": ["template": [:]]],
            ])
            h.api.addDeployment(namespace: "llm", name: "llama-kserve", replicas: 1, matchLabels: ["app.kubernetes.io/name": "llama", "llm-d.ai/role": "decode"])
            h.api.addDeployment(namespace: "llm", name: "llama-kserve-prefill", replicas: 1, matchLabels: ["app.kubernetes.io/name": "llama", "llm-d.ai/role": "prefill"])
            h.api.setPod(namespace: "llm", name: "llama-kserve-1", labels: ["app.kubernetes.io/name": "llama", "llm-d.ai/role": "decode"], podIP: "127.0.0.1")
            h.api.setPod(namespace: "llm", name: "llama-kserve-prefill-1", labels: ["app.kubernetes.io/name": "llama", "llm-d.ai/role": "prefill"], podIP: "127.0.0.1")
            h.pods.set("/metrics", Self.vllm(running: 8))             // decode: under its target of 10
            h.prefillPods.set("/metrics", Self.vllm(running: 2, waiting: 20))  // prefill: 20 queued prompts at 4 per pod
            let (loop, discovery) = try makeLoop(h)
            try await withPodWatch(h, discovery) { await ticks(loop, 0...12) }
            let status = await loop.status()
            #expect(status.first { $0.target == "llm/llama-kserve-prefill" }?.rule == "prefill")
            #expect(status.first { $0.target == "llm/llama-kserve" }?.rule == "decode")
            #expect(h.api.replicas(namespace: "llm", deployment: "llama-kserve-prefill") == 5)
            #expect(h.api.replicas(namespace: "llm", deployment: "llama-kserve") == 1)
            // The prefilled prompts now decode: 30 running sequences at 10 per pod scale decode on its own signal,
            // after prefill, and leave prefill's count alone.
            h.pods.set("/metrics", Self.vllm(running: 30))
            try await withPodWatch(h, discovery) { await ticks(loop, 13...24) }
            #expect(h.api.replicas(namespace: "llm", deployment: "llama-kserve") == 3)
            #expect(h.api.replicas(namespace: "llm", deployment: "llama-kserve-prefill") == 5)
            let firstWrite = { (name: String) in h.api.scaleWrites.first { $0.name == name }?.at }
            let prefillAt = try #require(firstWrite("llama-kserve-prefill")), decodeAt = try #require(firstWrite("llama-kserve"))
            #expect(prefillAt < decodeAt)
        }
    }

    @Test func llmInferenceServicesKServeScalesOrThatLackWorkloadsAreSkipped() async throws {
        try await withHarness { h in
            h.api.put(.llmInferenceServices, namespace: "llm", object: ["metadata": ["name": "fixed"], "spec": ["replicas": 2]])
            h.api.put(.llmInferenceServices, namespace: "llm", object: ["metadata": ["name": "wva"], "spec": ["scaling": ["minReplicas": 1, "maxReplicas": 4]]])
            h.api.put(.llmInferenceServices, namespace: "llm", object: ["metadata": ["name": "new"], "spec": [:]])
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 0)
            let targets = try await discovery.targets()
            func reason(_ key: String) -> String? {
                guard case .skipped(let r)? = targets.first(where: { $0.key == key })?.control else { return nil }
                return r
            }
            #expect(reason("llm/fixed-kserve")?.contains("spec.replicas is set") == true)
            #expect(reason("llm/wva-kserve")?.contains("spec.scaling is set") == true)
            #expect(reason("llm/new-kserve")?.contains("does not exist") == true)
        }
    }

    /// A Deployment whose selector inferscale cannot read (here: none at all) is skipped, never patched.
    @Test func unreadableSelectorIsASkipReason() async throws {
        try await withHarness { h in
            h.api.addDeployment(namespace: "llm", name: "web", replicas: 1, matchLabels: [:])
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 0, namedDeployments: { [("llm", "web")] })
            let target = try #require(try await discovery.targets().first)
            guard case .skipped(let reason) = target.control else { Issue.record("not skipped: \(target.control)"); return }
            #expect(reason.contains("pod selector"))
        }
    }
}

/// Scale-downs remove the idlest pods: before the PATCH, each pod gets `controller.kubernetes.io/pod-deletion-cost`
/// from its requests in flight, and the fake's ReplicaSet controller deletes the lowest cost first (Kubernetes
/// `pkg/controller/controller_utils.go` `ActivePodsWithRanks`).
@Suite(.serialized) struct ScaleDownOrderTests {
    @Test func aScaleDownFromFourToTwoRemovesTheTwoIdlestPods() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        api.enableReplicaSetDeletion()
        var configuration = KubernetesClientConfiguration(server: api.baseURL)
        configuration.timeouts.request = .seconds(5)
        let client = try KubernetesClient(configuration: configuration)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        // Four pods, each its own endpoint on the 127.0.0.0/8 range at one port, with 9, 1, 8 and 2 running.
        let loads = [("chat-a", 9), ("chat-b", 1), ("chat-c", 8), ("chat-d", 2)]
        var servers: [CannedMetricsServer] = []
        var port = 0
        for (index, (_, running)) in loads.enumerated() {
            let server = CannedMetricsServer()
            port = try await server.start(host: "127.0.0.\(index + 2)", port: port)
            server.set("/metrics", OwnershipEndToEndTests.vllm(running: running))
            servers.append(server)
        }
        defer { for s in servers { Task { try? await s.stop() } } }
        api.put(.inferenceServices, namespace: "llm", object: [
            "metadata": ["name": "chat", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": [:]],
        ])
        api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 4, matchLabels: ["app": "isvc.chat-predictor"])
        for (index, (name, _)) in loads.enumerated() {
            api.setPod(namespace: "llm", name: name, labels: ["app": "isvc.chat-predictor"], podIP: "127.0.0.\(index + 2)")
        }
        let rules = try RuleSet(RuleParser(file: "rules.yaml").parse("""
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: chat
                match: {namespace: llm, inferenceService: chat}
                source: {runtime: vllm, port: \(port), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
            """))
        let book = PodWorkBook()
        let discovery = KubernetesDiscovery(api: client, namespaces: ["llm"], refreshSeconds: 0)
        var scraping = ScraperConfiguration()
        scraping.sampling = .all
        let loop = ControlLoop(
            configuration: .init(), rules: rules, discovery: discovery,
            source: ScrapingMetricSource(scraper: Scraper(configuration: scraping, client: http), book: book) { Date().timeIntervalSince1970 },
            actuator: KubernetesActuator(api: client, discovery: discovery, instance: "test", book: book), log: try DecisionLog(path: nil))
        let watching = Task { await discovery.watchPods() }
        var failure: Error?
        do {
            try await api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
            for s in Int64(0)...80 where api.replicas(namespace: "llm", deployment: "chat-predictor") == 4 {
                await loop.scrape(at: Timestamp(seconds: s))
                if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
            }
            // 20 requests in flight at 10 per pod: 2 replicas; the two idlest pods (1 and 2 in flight) go.
            #expect(api.replicas(namespace: "llm", deployment: "chat-predictor") == 2)
            #expect(Set(api.podsDeletedByReplicaSet) == ["chat-b", "chat-d"])
            let cost = api.object(.pods, namespace: "llm", name: "chat-a")?[path: ["metadata", "annotations", "controller.kubernetes.io/pod-deletion-cost"]]
            #expect(cost?.stringValue == "9")
        } catch { failure = error }
        watching.cancel()
        try? await http.shutdown()
        try? await client.shutdown()
        try? await api.shutdown()
        if let failure { throw failure }
    }
}

@Suite struct PodDeletionCostTests {
    @Test func startingPodsGoFirstThenTheIdlestAndUnknownLoadCountsAsBusy() {
        let pods = [
            PodInfo(name: "starting", ip: "", ready: false),
            PodInfo(name: "idle", ip: "10.0.0.1", ready: true),
            PodInfo(name: "busy", ip: "10.0.0.2", ready: true),
            PodInfo(name: "silent", ip: "10.0.0.3", ready: true),
        ]
        let costs = PodDeletionCost.costs(pods: pods, inFlight: ["idle": 0.4, "busy": 12.6])
        #expect(costs == ["starting": -1, "idle": 0, "busy": 13, "silent": 13])
    }
}
