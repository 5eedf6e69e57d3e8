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

/// The control loop against the fake Kubernetes API and pods serving queue-proxy stats on
/// 127.0.0.1: discovery through list/watch, scraping over HTTP, scale PATCHes at the API.
@Suite(.serialized) struct ControlLoopEndToEndTests {
    struct Cluster {
        var api: FakeKubernetesAPIServer
        var client: KubernetesClient
        var pods: CannedMetricsServer
        var http: HTTPClient
        var podPort: Int
    }

    /// One InferenceService `llm/chat` with one ready pod; its queue-proxy reports `concurrency`.
    private func withCluster(_ body: (Cluster) async throws -> Void) async throws {
        let api = try await FakeKubernetesAPIServer.start()
        var configuration = KubernetesClientConfiguration(server: api.baseURL)
        configuration.timeouts.request = .seconds(5)
        let client = try KubernetesClient(configuration: configuration)
        let pods = CannedMetricsServer()
        let podPort = try await pods.start()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": "chat", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": ["minReplicas": 1]]])
        api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 1, matchLabels: ["app": "chat"])
        api.setPod(namespace: "llm", name: "chat-1", labels: ["app": "chat"], podIP: "127.0.0.1")
        let cluster = Cluster(api: api, client: client, pods: pods, http: http, podPort: podPort)
        setLoad(cluster, concurrency: 10)
        var failure: Error?
        do { try await body(cluster) } catch { failure = error }
        try? await http.shutdown()
        try? await client.shutdown()
        try? await pods.stop()
        try? await api.shutdown()
        if let failure { throw failure }
    }

    private func setLoad(_ c: Cluster, concurrency: Double) {
        let stat = QueueProxyStat(podName: "chat-1", averageConcurrentRequests: concurrency, averageProxiedConcurrentRequests: 0,
                                  requestsPerSecond: concurrency, proxiedRequestsPerSecond: 0, processUptime: 100, timestamp: 0)
        c.pods.set("/metrics", .init(contentType: "application/protobuf", body: stat.protobufBytes()))
    }

    private func makeLoop(_ c: Cluster, leadership: Leadership = SoleLeader(), actuatorCalls: CallCounter? = nil) -> (ControlLoop, KubernetesDiscovery) {
        let discovery = KubernetesDiscovery(api: c.client, namespaces: ["llm"], refreshSeconds: 1)
        var scraping = ScraperConfiguration()
        scraping.queueProxyPort = c.podPort
        let source = ScrapingMetricSource(scraper: Scraper(configuration: scraping, client: c.http)) { Date().timeIntervalSince1970 }
        let actuator = CountingActuator(inner: KubernetesActuator(api: c.client, discovery: discovery, instance: "test"), calls: actuatorCalls)
        let loop = ControlLoop(configuration: .init(), rules: .empty, discovery: discovery, source: source, actuator: actuator,
                               leadership: leadership, log: try! DecisionLog(path: nil))
        return (loop, discovery)
    }

    /// Ticks of simulated time over real HTTP: scrape every second, decide every even second.
    private func ticks(_ loop: ControlLoop, _ range: ClosedRange<Int64>) async {
        for s in range {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
    }

    @Test func loadStepLeadsToAScalePatchWithinOneTick() async throws {
        try await withCluster { c in
            let (loop, discovery) = makeLoop(c)
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await c.api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
            await ticks(loop, 0...20)
            #expect(c.api.scaleWrites.isEmpty)
            setLoad(c, concurrency: 700)  // 10 pods' worth at 70 per pod
            await loop.scrape(at: Timestamp(seconds: 21))
            await loop.scrape(at: Timestamp(seconds: 22))
            await loop.decide(at: Timestamp(seconds: 22))
            let writes = c.api.scaleWrites
            #expect(writes.count == 1)
            #expect((writes.last?.replicas ?? 0) > 1)
            #expect(c.api.replicas(namespace: "llm", deployment: "chat-predictor") == writes.last?.replicas)
        }
    }

    @Test func apiErrorsLoseNoDecision() async throws {
        try await withCluster { c in
            let (loop, discovery) = makeLoop(c)
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await c.api.waitUntil("a pod watch", timeout: .seconds(20)) { $0.openWatchCount > 0 }
            await ticks(loop, 0...10)
            setLoad(c, concurrency: 700)
            c.api.failNextRequests(20)   // the API server fails for a while
            c.api.closeWatches()         // and drops the watch mid-stream
            await ticks(loop, 11...40)
            #expect((c.api.replicas(namespace: "llm", deployment: "chat-predictor") ?? 0) > 1)
        }
    }

    @Test func onlyTheLeaderPatches() async throws {
        try await withCluster { c in
            let settings = LeaderElectionStateMachine.Configuration(identity: "a", leaseDuration: 2, renewDeadline: 1.5, retryPeriod: 0.2)
            var other = settings
            other.identity = "b"
            let a = try LeaderElector(api: c.client, configuration: settings, namespace: "llm", leaseName: "inferscale")
            let b = try LeaderElector(api: c.client, configuration: other, namespace: "llm", leaseName: "inferscale")
            let runA = Task { await a.run() }
            let runB = Task { await b.run() }
            defer { runA.cancel(); runB.cancel() }
            let deadline = ContinuousClock.now + .seconds(10)
            while !(a.isLeader || b.isLeader) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            let callsA = CallCounter(), callsB = CallCounter()
            let (loopA, discoveryA) = makeLoop(c, leadership: a, actuatorCalls: callsA)
            let (loopB, discoveryB) = makeLoop(c, leadership: b, actuatorCalls: callsB)
            let watchA = Task { await discoveryA.watchPods() }, watchB = Task { await discoveryB.watchPods() }
            defer { watchA.cancel(); watchB.cancel() }
            try await c.api.waitUntil("two pod watches", timeout: .seconds(20)) { $0.openWatchCount > 1 }
            setLoad(c, concurrency: 700)
            for s in Int64(0)...6 {
                await loopA.scrape(at: Timestamp(seconds: s))
                await loopB.scrape(at: Timestamp(seconds: s))
                if s % 2 == 0 {
                    await loopA.decide(at: Timestamp(seconds: s))
                    await loopB.decide(at: Timestamp(seconds: s))
                }
            }
            let (leaderCalls, followerCalls) = a.isLeader ? (await callsA.count, await callsB.count) : (await callsB.count, await callsA.count)
            #expect(leaderCalls >= 1)
            #expect(followerCalls == 0)
            // Both decided the same, so a takeover would act at once.
            #expect(await loopA.status().first?.desired == loopB.status().first?.desired)
        }
    }
}

actor CallCounter {
    var count = 0
    func add() { count += 1 }
}

/// Counts the scale calls that reach the API.
struct CountingActuator: ScaleActuator {
    let inner: KubernetesActuator
    let calls: CallCounter?
    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        await calls?.add()
        try await inner.scale(target, to: replicas, reason: reason)
    }
}
