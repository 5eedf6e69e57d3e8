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

/// inferscale as a Knative PodAutoscaler class, end to end on 127.0.0.1: the fake API server holds the PAs, their
/// ServerlessServices and the revisions' Deployments; a canned activator serves `kn_revision_request_concurrency`;
/// a canned pod serves queue-proxy stats. The test plays Knative's other controllers: the SKS reconciler, which
/// fills an SKS's status once it exists (`pkg/reconciler/serverlessservice/serverlessservice.go`: serviceName is the
/// SKS's name, privateServiceName `<name>-private`, `Ready` once endpoints exist), and the Deployment controller,
/// which starts and removes pods. Time is simulated for the loop (scrape every second, decide every even second).
@Suite(.serialized) struct KnativePodAutoscalerEndToEndTests {
    struct Cluster {
        var api: FakeKubernetesAPIServer
        var client: KubernetesClient
        var pods: CannedMetricsServer
        var activator: CannedMetricsServer
        var activatorURL: String
        var http: HTTPClient
        var podPort: Int
    }

    static let revisionLabel = "serving.knative.dev/revision"

    private func withCluster(_ body: (Cluster) async throws -> Void) async throws {
        try await FakeCluster.with(endpoints: 2) { c in
            let cluster = Cluster(api: c.api, client: c.client, pods: c.endpoints[0], activator: c.endpoints[1],
                                  activatorURL: "http://127.0.0.1:\(c.ports[1])/metrics", http: c.http, podPort: c.ports[0])
            setActivator(cluster, [:])
            try await body(cluster)
        }
    }

    /// A revision's PA (as Knative's revision reconciler makes it, `pkg/reconciler/revision/resources/pa.go`) and
    /// its Deployment at `replicas`.
    /// `class` nil: no class annotation (the cluster's `pod-autoscaler-class` decides).
    private func addRevision(_ c: Cluster, _ name: String, class: String?, annotations: [String: String] = [:], replicas: Int = 0,
                             generation: Int64 = 1) {
        var all: [String: JSONValue] = ["autoscaling.knative.dev/metric": "concurrency"]
        if let `class` { all["autoscaling.knative.dev/class"] = .string(`class`) }
        for (k, v) in annotations { all[k] = .string(v) }
        c.api.put(.podAutoscalers, namespace: "ml", object: [
            "metadata": ["name": .string(name), "generation": .int(generation), "labels": .object([Self.revisionLabel: .string(name)]), "annotations": .object(all)],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string("\(name)-deployment")],
                     "protocolType": "http1", "reachability": "Reachable"],
        ])
        c.api.addDeployment(namespace: "ml", name: "\(name)-deployment", replicas: replicas, matchLabels: [Self.revisionLabel: name])
    }

    private func setActivator(_ c: Cluster, _ concurrency: [String: Double]) {
        var text = "# HELP kn_revision_request_concurrency Concurrent requests that are routed to Activator\n# TYPE kn_revision_request_concurrency gauge\n"
        for (revision, value) in concurrency.sorted(by: { $0.key < $1.key }) {
            text += "kn_revision_request_concurrency{k8s_namespace_name=\"ml\",kn_revision_name=\"\(revision)\",otel_scope_name=\"knative.dev/serving/pkg/activator\"} \(value)\n"
        }
        c.activator.set("/metrics", .init(body: Array(text.utf8)))
    }

    private func setPodLoad(_ c: Cluster, concurrency: Double) {
        let stat = QueueProxyStat(podName: "chat-00001-1", averageConcurrentRequests: concurrency, averageProxiedConcurrentRequests: 0,
                                  requestsPerSecond: concurrency, proxiedRequestsPerSecond: 0, processUptime: 100, timestamp: 0)
        c.pods.set("/metrics", .init(contentType: "application/protobuf", body: stat.protobufBytes()))
    }

    /// Plays Knative's SKS reconciler for every SKS without a status.
    private func fillSKSStatus(_ c: Cluster) {
        for var sks in c.api.objects(.serverlessServices, namespace: "ml") where sks["status"] == nil {
            let name = sks[path: ["metadata", "name"]]?.stringValue ?? ""
            sks["status"] = ["serviceName": .string(name), "privateServiceName": .string("\(name)-private"),
                             "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": "2026-12-01T00:00:00Z"]]]
            c.api.put(.serverlessServices, namespace: "ml", object: sks)
        }
    }

    private func sksMode(_ c: Cluster, _ name: String) -> String? {
        c.api.object(.serverlessServices, namespace: "ml", name: name)?[path: ["spec", "mode"]]?.stringValue
    }

    private func paStatus(_ c: Cluster, _ name: String) throws -> PodAutoscalerStatus? {
        guard let object = c.api.object(.podAutoscalers, namespace: "ml", name: name), let status = object["status"] else { return nil }
        return try JSONDecoder().decode(PodAutoscalerStatus.self, from: status.serialized())
    }

    private func condition(_ c: Cluster, _ name: String, _ type: String) throws -> KnativeCondition? {
        try paStatus(c, name)?.conditions?.first { $0.type == type }
    }

    /// The reasons of the Events on the PA `name`, oldest first (`type/reason`).
    private func paEvents(_ c: Cluster, _ name: String) -> [String] {
        c.api.objects(.events, namespace: "ml")
            .filter { $0[path: ["involvedObject", "kind"]]?.stringValue == "PodAutoscaler" && $0[path: ["involvedObject", "name"]]?.stringValue == name }
            .sorted { ($0[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int($0) } ?? 0) < ($1[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int($0) } ?? 0) }
            .map { "\($0["type"]?.stringValue ?? "")/\($0["reason"]?.stringValue ?? "")" }
    }

    /// The activator's ready pods (`app=activator` in knative-serving, metrics on 9090 as
    /// `config/core/deployments/activator.yaml` declares) are the URLs polled.
    @Test func activatorPodsAreFoundByLabel() async throws {
        try await withCluster { c in
            c.api.setPod(namespace: "knative-serving", name: "activator-a", labels: ["app": "activator"], podIP: "10.1.0.7")
            c.api.setPod(namespace: "knative-serving", name: "activator-b", labels: ["app": "activator"], ready: false, podIP: "10.1.0.8")
            c.api.setPod(namespace: "knative-serving", name: "autoscaler-a", labels: ["app": "autoscaler"], podIP: "10.1.0.9")
            let pods = ActivatorPods(api: c.client, namespace: "knative-serving")
            #expect(await pods.urls() == ["http://10.1.0.7:9090/metrics"])
        }
    }

    @Test func coldStartServeAndBackToZero() async throws {
        try await withCluster { c in
            addRevision(c, "chat-00001", class: "inferscale.dev",
                        annotations: ["autoscaling.knative.dev/window": "6s", "autoscaling.knative.dev/target-burst-capacity": "10"])
            addRevision(c, "other-00001", class: "kpa.autoscaling.knative.dev", replicas: 1)
            addRevision(c, "bad-00001", class: "inferscale.dev", annotations: ["autoscaling.knative.dev/window": "2s"])
            addRevision(c, "gone-00001", class: "inferscale.dev")
            c.api.delete(.deployments, namespace: "ml", name: "gone-00001-deployment")
            let otherBefore = c.api.object(.podAutoscalers, namespace: "ml", name: "other-00001")

            var config = AutoscalerConfig()
            try config.set("scale-to-zero-grace-period", "6s")
            let revisions = KnativePodAutoscalers(api: c.client, namespaces: ["ml"],
                                                  configuration: .init(refreshSeconds: 0, autoscalerConfig: config))
            var scraping = ScraperConfiguration()
            scraping.queueProxyPort = c.podPort
            let source = ScrapingMetricSource(scraper: Scraper(configuration: scraping, client: c.http)) { Date().timeIntervalSince1970 }
            let loop = ControlLoop(configuration: .init(autoscalerConfig: config), rules: .empty, discovery: CombinedDiscovery([revisions]),
                                   source: source, actuator: revisions, log: try DecisionLog(path: nil))
            let poller = ActivatorMetricsPoller(configuration: .init(urls: [c.activatorURL]), client: c.http, revisions: revisions, loop: loop)
            let watching = Task { await revisions.watchPods() }
            defer { watching.cancel() }
            try await c.api.waitUntil("a pod watch", timeout: .seconds(5)) { $0.openWatchCount > 0 }

            /// One second of the cluster: poll, scrape, decide on even seconds, then the PA reconcile.
            func second(_ s: Int64) async {
                let t = Timestamp(seconds: s)
                await poller.poll(at: t)
                await loop.scrape(at: t)
                if s % 2 == 0 { await loop.decide(at: t) }
                await revisions.reconcile(with: await loop.status())
                fillSKSStatus(c)
            }

            // At zero, no requests: the SKS is created in Proxy mode and stays there; nothing is scaled.
            for s in Int64(0)...3 { await second(s) }
            #expect(sksMode(c, "chat-00001") == "Proxy")
            #expect(c.api.scaleWrites.isEmpty)
            #expect(try paStatus(c, "chat-00001")?.serviceName == "chat-00001")
            #expect(try paStatus(c, "chat-00001")?.metricsServiceName == "chat-00001-private")
            #expect(try condition(c, "chat-00001", "SKSReady")?.status == "True")

            // Another class is never touched: no SKS, the PA as it was, its Deployment unscaled.
            #expect(c.api.object(.serverlessServices, namespace: "ml", name: "other-00001") == nil)
            #expect(c.api.object(.podAutoscalers, namespace: "ml", name: "other-00001") == otherBefore)
            // An invalid annotation: Ready=False with the reason, no SKS.
            let badReady = try condition(c, "bad-00001", "Ready")
            #expect(badReady?.status == "False")
            #expect(badReady?.reason == "InvalidAnnotation")
            #expect(badReady?.message?.contains("autoscaling.knative.dev/window") == true)
            #expect(c.api.object(.serverlessServices, namespace: "ml", name: "bad-00001") == nil)
            // A missing Deployment: Ready=False, reason ScaleTargetNotFound, naming it.
            let goneReady = try condition(c, "gone-00001", "Ready")
            #expect(goneReady?.status == "False")
            #expect(goneReady?.reason == "ScaleTargetNotFound")
            #expect(goneReady?.message?.contains("ml/gone-00001-deployment") == true)
            #expect(c.api.object(.serverlessServices, namespace: "ml", name: "gone-00001") == nil)
            // Each problem is a Warning on its PA, once (four reconciles so far), as for Deployments inferscale won't scale.
            #expect(paEvents(c, "bad-00001") == ["Warning/NotScaling"])
            #expect(paEvents(c, "gone-00001") == ["Warning/NotScaling"])
            #expect(paEvents(c, "chat-00001").isEmpty)
            #expect(paEvents(c, "other-00001").isEmpty)

            // One request queued at the activator: a single poll leads to the 0→1 patch (decided at once, no tick).
            setActivator(c, ["chat-00001": 1])
            let pushed = await poller.poll(at: Timestamp(seconds: 4))
            #expect(pushed[ActivatorConcurrency.Revision(namespace: "ml", name: "chat-00001")] == 1)
            #expect(c.api.scaleWrites.map(\.replicas) == [1])
            #expect(c.api.replicas(namespace: "ml", deployment: "chat-00001-deployment") == 1)
            await revisions.reconcile(with: await loop.status())
            #expect(try paStatus(c, "chat-00001")?.desiredScale == 1)
            #expect(try paStatus(c, "chat-00001")?.actualScale == 0)
            #expect(try condition(c, "chat-00001", "Active")?.reason == "Queued")
            #expect(sksMode(c, "chat-00001") == "Proxy")  // no ready pod: excess burst capacity is negative
            #expect(paEvents(c, "chat-00001") == ["Normal/ScaledUp"])

            // The pod becomes ready: with burst capacity to spare the SKS switches to Serve, and the PA is Ready.
            setPodLoad(c, concurrency: 1)
            c.api.setPod(namespace: "ml", name: "chat-00001-1", labels: [Self.revisionLabel: "chat-00001"], podIP: "127.0.0.1")
            var served: Int64?
            for s in Int64(5)...20 where served == nil {
                await second(s)
                if sksMode(c, "chat-00001") == "Serve" { served = s }
            }
            #expect(served != nil)
            #expect(paEvents(c, "chat-00001") == ["Normal/ScaledUp", "Normal/ServingDirectly"])
            #expect(try paStatus(c, "chat-00001")?.desiredScale == 1)
            #expect(try paStatus(c, "chat-00001")?.actualScale == 1)
            for type in ["Active", "ScaleTargetInitialized", "SKSReady", "Ready"] {
                #expect(try condition(c, "chat-00001", type)?.status == "True", "\(type)")
            }
            // Never to zero while the SKS serves: the activator must be in the path first.
            let writes = c.api.scaleWrites.count
            await #expect(throws: ActivatorNotInPath.self) {
                try await revisions.scale(TargetDescription(namespace: "ml", deployment: "chat-00001-deployment"), to: 0, reason: "test")
            }
            #expect(c.api.scaleWrites.count == writes)

            // Load stops: after the stable window and the grace period the SKS goes back to Proxy first, then zero.
            setActivator(c, [:])
            setPodLoad(c, concurrency: 0)
            let stopped = (served ?? 20) + 1
            var proxiedAt: Int64?, zeroAt: Int64?
            for s in stopped...(stopped + 60) where zeroAt == nil {
                await second(s)
                if proxiedAt == nil, sksMode(c, "chat-00001") == "Proxy" { proxiedAt = s }
                if c.api.replicas(namespace: "ml", deployment: "chat-00001-deployment") == 0 {
                    zeroAt = s
                    #expect(sksMode(c, "chat-00001") == "Proxy")
                    c.api.deletePod(namespace: "ml", name: "chat-00001-1")
                }
            }
            let proxied = try #require(proxiedAt)
            let zero = try #require(zeroAt)
            #expect(proxied < zero)
            // The last load was recorded at `stopped − 1`: a stable window (6 s) and the grace period (6 s) after it.
            #expect(zero - (stopped - 1) >= 12, "stable window 6 s + grace period 6 s")
            #expect(c.api.scaleWrites.map(\.replicas) == [1, 0])
            #expect(paEvents(c, "chat-00001") == ["Normal/ScaledUp", "Normal/ServingDirectly", "Normal/ActivatorInPath", "Normal/ScaledToZero"])
            #expect(paEvents(c, "other-00001").isEmpty)
            #expect(try condition(c, "chat-00001", "Active")?.reason == "NoTraffic")
            #expect(try condition(c, "chat-00001", "Ready")?.status == "False")
            // Nothing wrote the other class's Deployment.
            #expect(!c.api.scaleWrites.contains { $0.name == "other-00001-deployment" })
        }
    }

    /// Knative's `config-autoscaler`, watched: `pod-autoscaler-class: inferscale.dev` makes a PA without the class
    /// annotation inferscale's, its other keys reach the decisions (here `min-scale`), an invalid version is
    /// rejected with the settings in force kept, and a change back to Knative's class hands the PA back.
    @Test func configAutoscalerIsWatchedAndApplied() async throws {
        try await withCluster { c in
            addRevision(c, "plain-00001", class: nil, replicas: 1)
            c.api.setPod(namespace: "ml", name: "plain-00001-1", labels: [Self.revisionLabel: "plain-00001"], podIP: "127.0.0.1")
            setPodLoad(c, concurrency: 0)
            let revisions = KnativePodAutoscalers(api: c.client, namespaces: ["ml"], configuration: .init(refreshSeconds: 0))
            var scraping = ScraperConfiguration()
            scraping.queueProxyPort = c.podPort
            let source = ScrapingMetricSource(scraper: Scraper(configuration: scraping, client: c.http)) { Date().timeIntervalSince1970 }
            let loop = ControlLoop(configuration: .init(), rules: .empty, discovery: revisions, source: source, actuator: revisions,
                                   log: try DecisionLog(path: nil))
            let applied = AsyncStream<AutoscalerConfig>.makeStream()
            let watcher = KnativeAutoscalerConfigWatcher(api: c.client)
            let watching = Task {
                await watcher.run { config in
                    await revisions.apply(autoscalerConfig: config)
                    await loop.apply(autoscalerConfig: config)
                    applied.continuation.yield(config)
                }
            }
            let watchingPods = Task { await revisions.watchPods() }
            defer {
                watching.cancel()
                watchingPods.cancel()
            }
            var versions = applied.stream.makeAsyncIterator()
            // No ConfigMap: Knative's defaults, so a PA without the annotation is KPA's and left alone.
            #expect(await versions.next()?.podAutoscalerClass == "kpa.autoscaling.knative.dev")
            #expect(try await revisions.targets().isEmpty)

            try await c.api.waitUntil("the ConfigMap and pod watches", timeout: .seconds(10)) { $0.openWatchCount >= 2 }
            c.api.put(.configMaps, namespace: "knative-serving", object: [
                "metadata": ["name": "config-autoscaler"],
                "data": ["_example": "# the documentation block", "pod-autoscaler-class": "inferscale.dev", "min-scale": "2"],
            ])
            let reloaded = await versions.next()
            #expect(reloaded?.podAutoscalerClass == "inferscale.dev")
            #expect(reloaded?.minScale == 2)
            #expect(try await revisions.targets().map(\.key) == ["ml/plain-00001-deployment"])
            // The loop decides under the reloaded settings: no load, but config-autoscaler's min-scale holds 2 pods.
            for s in Int64(0)...8 where !c.api.scaleWrites.contains(where: { $0.replicas == 2 }) {
                await loop.scrape(at: Timestamp(seconds: s))
                if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
            }
            #expect(c.api.scaleWrites.map(\.replicas) == [2])

            // An invalid version changes nothing; the next valid one applies.
            c.api.put(.configMaps, namespace: "knative-serving", object: [
                "metadata": ["name": "config-autoscaler"], "data": ["pod-autoscaler-class": "kpa.autoscaling.knative.dev", "stable-window": "2s"],
            ])
            c.api.put(.configMaps, namespace: "knative-serving", object: [
                "metadata": ["name": "config-autoscaler"], "data": ["pod-autoscaler-class": "kpa.autoscaling.knative.dev"],
            ])
            let handedBack = await versions.next()
            #expect(handedBack?.podAutoscalerClass == "kpa.autoscaling.knative.dev")
            #expect(handedBack?.stableWindowSeconds == 60, "the invalid version (stable-window 2s) was never applied")
            #expect(try await revisions.targets().isEmpty)
        }
    }

    /// The PA list is refreshed while status writes are in flight (the actor is re-entered at every await): the
    /// stored PAs are replaced under a write without harm. A release build crashed here one run in four when the
    /// written PA was assigned through the dictionary across the await.
    @Test func statusWritesSurviveConcurrentRefreshes() async throws {
        try await withCluster { c in
            for i in 1...4 { addRevision(c, "rev-0000\(i)", class: "inferscale.dev") }
            let revisions = KnativePodAutoscalers(api: c.client, namespaces: ["ml"], configuration: .init(refreshSeconds: 0))
            _ = try await revisions.targets()
            c.api.delayNextResponses(400, by: .milliseconds(2))
            for round in 2...16 {
                // A new generation on every PA makes every reconcile write its status.
                for i in 1...4 { addRevision(c, "rev-0000\(i)", class: "inferscale.dev", generation: Int64(round)) }
                async let refreshing: Void = { for _ in 0..<6 { _ = try? await revisions.targets() } }()
                await revisions.reconcile(with: [])
                await refreshing
            }
            _ = try await revisions.targets()
            await revisions.reconcile(with: [])
            for i in 1...4 {
                #expect(try paStatus(c, "rev-0000\(i)")?.observedGeneration == 16)
            }
        }
    }
}
