import AsyncHTTPClient
import AutoscalerCore
import ClusterAdapters
import Exposition
import Foundation
import Kubernetes
import KubernetesTestKit
import PodTestKit
import Rules
import Scaling
import Scraping
import Testing

/// The control loop on objects shaped as a real cluster stores them (Fixtures/kserve: kubectl's
/// last-applied annotation, KServe's webhook defaults and status, the predictor Deployment KServe creates
/// in Standard mode, after `reconcilers/deployment/deployment_reconciler.go`), against the fake API server
/// and a pod on 127.0.0.1. Annotations outside `autoscaling.knative.dev/` must not cost a target its policy.
@Suite(.serialized) struct KServeShapedObjectsTests {
    static func fixture(_ name: String) throws -> JSONValue {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/kserve"))
        return try JSONValue.parse(Data(contentsOf: url))
    }

    struct Harness {
        var api: FakeKubernetesAPIServer
        var client: KubernetesClient
        var pods: CannedMetricsServer
        var http: HTTPClient
        var podPort: Int
    }

    func withHarness(_ body: (Harness) async throws -> Void) async throws {
        try await FakeCluster.with(endpoints: 1) { c in
            try await body(Harness(api: c.api, client: c.client, pods: c.endpoints[0], http: c.http, podPort: c.ports[0]))
        }
    }

    /// A pod of `deployment` (its template's labels), ready, on 127.0.0.1.
    func addPod(_ h: Harness, of deployment: JSONValue, name: String) {
        let labels = deployment[path: ["spec", "template", "metadata", "labels"]]?.stringMap ?? [:]
        h.api.setPod(namespace: "llm", name: name, labels: labels, podIP: "127.0.0.1")
    }

    /// Scrapes every second and decides every other one, on simulated seconds over real HTTP, until the
    /// Deployment's replicas pass `above` (or 40 s of ticks run out).
    func run(_ loop: ControlLoop, _ h: Harness, deployment: String, above: Int) async -> Int? {
        for s in Int64(0)...40 {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
            if let r = h.api.replicas(namespace: "llm", deployment: deployment), r > above { return r }
        }
        return h.api.replicas(namespace: "llm", deployment: deployment)
    }

    @Test(arguments: ["inferenceservice-kubectl-applied", "inferenceservice-webhook-defaulted"])
    func inferenceServiceAsTheClusterStoresItIsScaled(fixture: String) async throws {
        try await withHarness { h in
            let isvc = try Self.fixture(fixture)
            #expect(isvc[path: ["metadata", "annotations"]]?.stringMap.keys.contains { !$0.hasPrefix("autoscaling.knative.dev/") } == true)
            h.api.put(.inferenceServices, namespace: "llm", object: isvc)
            let deployment = try Self.fixture("deployment-predictor-standard")
            h.api.put(.deployments, namespace: "llm", object: deployment)
            addPod(h, of: deployment, name: "chat-predictor-6d9f7c8b5-x2x7q")
            // Queue-proxy reports 700 requests in flight: 10 pods' worth at Knative's 70 per pod (target 100 × 0.7),
            // held to the InferenceService's maxReplicas 8.
            let stat = QueueProxyStat(podName: "chat-predictor-6d9f7c8b5-x2x7q", averageConcurrentRequests: 700,
                                      averageProxiedConcurrentRequests: 0, requestsPerSecond: 700, proxiedRequestsPerSecond: 0,
                                      processUptime: 100, timestamp: 0)
            h.pods.set("/metrics", .init(contentType: "application/protobuf", body: stat.protobufBytes()))

            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 1)
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await h.api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
            var scraping = ScraperConfiguration()
            scraping.queueProxyPort = h.podPort
            let loop = ControlLoop(
                configuration: .init(), rules: .empty, discovery: discovery,
                source: ScrapingMetricSource(scraper: Scraper(configuration: scraping, client: h.http)) { Date().timeIntervalSince1970 },
                actuator: KubernetesActuator(api: h.client, discovery: discovery, instance: "test"), log: try DecisionLog(path: nil))
            let replicas = await run(loop, h, deployment: "chat-predictor", above: 1)
            let status = try #require(await loop.status().first)
            #expect(status.target == "llm/chat-predictor")
            #expect(status.policyError == nil)
            #expect(replicas == 8, "status: \(status)")
        }
    }

    @Test func kubectlAppliedDeploymentNamedByARuleIsScaled() async throws {
        try await withHarness { h in
            let deployment = try Self.fixture("deployment-vllm-kubectl-applied")
            h.api.put(.deployments, namespace: "llm", object: deployment)
            addPod(h, of: deployment, name: "vllm-chat-7f9c5d6b4-kq2lm")
            h.pods.set("/metrics", .init(body: Array("""
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{model_name="chat"} 40
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{model_name="chat"} 0

                """.utf8)))
            let rules = try RuleSet(RuleParser(file: "rules.yaml").parse("""
                apiVersion: inferscale.dev/v1
                kind: ScalingRules
                rules:
                  - name: vllm-chat
                    match: {namespace: llm, deployment: vllm-chat}
                    source: {runtime: vllm, port: \(h.podPort), queueProxy: false}
                    policy:
                      metrics: [{signal: running, target: 10}]
                      minReplicas: 1
                      maxReplicas: 20
                """))
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 1,
                                                namedDeployments: { [("llm", "vllm-chat")] })
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await h.api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
            let loop = ControlLoop(
                configuration: .init(), rules: rules, discovery: discovery,
                source: ScrapingMetricSource(scraper: Scraper(configuration: ScraperConfiguration(), client: h.http)) { Date().timeIntervalSince1970 },
                actuator: KubernetesActuator(api: h.client, discovery: discovery, instance: "test"), log: try DecisionLog(path: nil))
            let replicas = await run(loop, h, deployment: "vllm-chat", above: 1)
            let status = try #require(await loop.status().first)
            #expect(status.rule == "vllm-chat")
            #expect(status.policyError == nil)
            #expect(replicas == 4, "status: \(status)")
        }
    }

    /// A key inside Knative's prefix that Knative does not know still disables the target, with the key named,
    /// and `/debug/targets` does not claim a panic for a target that has no policy.
    @Test func unknownKnativeAnnotationIsNamedAndTheTargetLeftAlone() async throws {
        try await withHarness { h in
            var isvc = try Self.fixture("inferenceservice-webhook-defaulted")
            isvc[path: ["metadata", "annotations", "autoscaling.knative.dev/windw"]] = "30s"
            h.api.put(.inferenceServices, namespace: "llm", object: isvc)
            let deployment = try Self.fixture("deployment-predictor-standard")
            h.api.put(.deployments, namespace: "llm", object: deployment)
            addPod(h, of: deployment, name: "chat-predictor-6d9f7c8b5-x2x7q")
            let discovery = KubernetesDiscovery(api: h.client, namespaces: ["llm"], refreshSeconds: 1)
            let loop = ControlLoop(
                configuration: .init(), rules: .empty, discovery: discovery,
                source: ScrapingMetricSource(scraper: Scraper(configuration: ScraperConfiguration(), client: h.http)) { Date().timeIntervalSince1970 },
                actuator: KubernetesActuator(api: h.client, discovery: discovery, instance: "test"), log: try DecisionLog(path: nil))
            for s in Int64(0)...6 {
                await loop.scrape(at: Timestamp(seconds: s))
                if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
            }
            let status = try #require(await loop.status().first)
            #expect(status.policyError?.contains("autoscaling.knative.dev/windw") == true, "\(String(describing: status.policyError))")
            #expect(status.inPanic == false)
            #expect(h.api.scaleWrites.isEmpty)
        }
    }
}
