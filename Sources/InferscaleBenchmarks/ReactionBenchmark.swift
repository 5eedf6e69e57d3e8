import AsyncHTTPClient
import AutoscalerCore
import ClusterAdapters
import Exposition
import Kubernetes
import KubernetesTestKit
import PodTestKit
import Rules
import Scaling
import Scraping
import ServiceLifecycle

/// Reaction time: from a load step at a pod (its queue-proxy starts reporting 10× the load)
/// to the scale PATCH arriving at the API server, with the control loop running in real
/// time (1 s scrape, 2 s decide) against the fake API and a pod endpoint on loopback.
/// Goal: at most one decide tick (2 s) plus 100 ms. The baseline printed beside it is the
/// tick itself: the wait a loop that only acts on ticks cannot avoid.
func runReactionBenchmark(steps: Int) async throws {
    let api = try await FakeKubernetesAPIServer.start()
    var configuration = KubernetesClientConfiguration(server: api.baseURL)
    configuration.timeouts.request = .seconds(5)
    let client = try KubernetesClient(configuration: configuration)
    let pods = CannedMetricsServer()
    let podPort = try await pods.start()
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    api.addDeployment(namespace: "bench", name: "model", replicas: 1, matchLabels: ["app": "model"])
    api.setPod(namespace: "bench", name: "model-1", labels: ["app": "model"], podIP: "127.0.0.1")
    func load(_ c: Double) {
        let stat = QueueProxyStat(podName: "model-1", averageConcurrentRequests: c, averageProxiedConcurrentRequests: 0,
                                  requestsPerSecond: c, proxiedRequestsPerSecond: 0, processUptime: 100, timestamp: 0)
        pods.set("/metrics", .init(contentType: "application/protobuf", body: stat.protobufBytes()))
    }
    load(10)
    // A short window so each step's load leaves the averages quickly; no panic hold.
    let rules = try RuleFiles.load([RuleFiles.File(path: "bench.yaml", text: """
        rules:
          - name: bench
            match: {namespace: bench, deployment: model}
            policy:
              window: 6s
              panicThresholdPercentage: 1000
              maxScaleDownRate: 100
              minReplicas: 1
        """)])
    let discovery = KubernetesDiscovery(api: client, namespaces: ["bench"], refreshSeconds: 1) { [("bench", "model")] }
    var scraping = ScraperConfiguration()
    scraping.queueProxyPort = podPort
    let started = ContinuousClock.now
    let source = ScrapingMetricSource(scraper: Scraper(configuration: scraping, client: http)) { (ContinuousClock.now - started).benchSeconds }
    let loop = ControlLoop(configuration: .init(), rules: rules, discovery: discovery, source: source,
                           actuator: KubernetesActuator(api: client, discovery: discovery, instance: "bench"), log: try DecisionLog(path: nil))
    let watching = Task { await discovery.watchPods() }
    let running = Task { try await ControlLoopService(loop: loop, now: wallClockNow).run() }

    var reactions: [Double] = []
    for _ in 0..<steps {
        // Settle at one replica, then step up and time the PATCH.
        load(10)
        try await waitFor(seconds: 30) { api.replicas(namespace: "bench", deployment: "model") == 1 }
        try await Task.sleep(for: .milliseconds(Int.random(in: 0..<2000)))  // steps fall anywhere in the tick
        let writesBefore = api.scaleWrites.count
        let step = ContinuousClock.now
        load(700)
        try await waitFor(seconds: 30) { api.scaleWrites.count > writesBefore && (api.scaleWrites.last?.replicas ?? 0) > 1 }
        if let write = api.scaleWrites.dropFirst(writesBefore).first(where: { $0.replicas > 1 }) {
            reactions.append((write.at - step).benchSeconds)
        }
    }
    running.cancel()
    watching.cancel()
    try? await http.shutdown()
    try? await client.shutdown()
    try? await pods.stop()
    try? await api.shutdown()

    let sorted = reactions.sorted()
    func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
    print("reaction: load step at a pod → scale PATCH at the API (\(sorted.count) steps, real time, loopback)")
    print("  p50 \(format1(percentile(0.5) * 1000)) ms, p99 \(format1(percentile(0.99) * 1000)) ms, max \(format1((sorted.last ?? .nan) * 1000)) ms")
    print("  baseline: one decide tick = 2000 ms; p99 / tick = \(format1(percentile(0.99) / 2))× (goal ≤ 2100 ms)")
}

private func waitFor(seconds: Double, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw BenchmarkTimeout() }
        try await Task.sleep(for: .milliseconds(5))
    }
}

struct BenchmarkTimeout: Error {}

extension Duration {
    var benchSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
