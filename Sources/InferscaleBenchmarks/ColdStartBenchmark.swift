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

/// Cold start under inferscale's Knative PodAutoscaler class: from a request queued at the activator (its
/// metrics endpoint starts showing `kn_revision_request_concurrency 1` for a revision at zero) to the 0→1 scale
/// PATCH at the API server, with the loop, the 1 s activator poll and the PA reconcile running in real time
/// against the fake API and a canned activator on loopback. Each cold start is a new revision at zero. The
/// baseline is one poll plus one decide tick (3 s), what a loop that waited for its tick would need at worst.
func runColdStartBenchmark(starts: Int) async throws {
    let api = try await FakeKubernetesAPIServer.start()
    var configuration = KubernetesClientConfiguration(server: api.baseURL)
    configuration.timeouts.request = .seconds(5)
    let client = try KubernetesClient(configuration: configuration)
    let activator = CannedMetricsServer()
    let activatorPort = try await activator.start()
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    func queued(_ revision: String?) {
        var text = "# TYPE kn_revision_request_concurrency gauge\n"
        if let revision { text += "kn_revision_request_concurrency{k8s_namespace_name=\"bench\",kn_revision_name=\"\(revision)\"} 1\n" }
        activator.set("/metrics", .init(body: Array(text.utf8)))
    }
    queued(nil)
    let revisions = KnativePodAutoscalers(api: client, namespaces: ["bench"], configuration: .init(refreshSeconds: 1))
    let started = ContinuousClock.now
    let source = ScrapingMetricSource(scraper: Scraper(configuration: ScraperConfiguration(), client: http)) { (ContinuousClock.now - started).benchSeconds }
    let loop = ControlLoop(configuration: .init(), rules: .empty, discovery: revisions, source: source, actuator: revisions,
                           log: try DecisionLog(path: nil))
    let poller = ActivatorMetricsPoller(configuration: .init(urls: ["http://127.0.0.1:\(activatorPort)/metrics"]), client: http,
                                        revisions: revisions, loop: loop)
    let running = Task { try await ControlLoopService(loop: loop, now: wallClockNow).run() }
    let polling = Task { await poller.run(now: wallClockNow) }
    let status = Task { await revisions.runStatusLoop(loop) }

    var reactions: [Double] = []
    for i in 0..<starts {
        let name = String(format: "rev-%05d", i + 1)
        api.put(.podAutoscalers, namespace: "bench", object: [
            "metadata": ["name": .string(name), "generation": 1, "annotations": ["autoscaling.knative.dev/class": "inferscale.dev"]],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string("\(name)-deployment")], "protocolType": "http1"],
        ])
        api.addDeployment(namespace: "bench", name: "\(name)-deployment", replicas: 0, matchLabels: ["serving.knative.dev/revision": name])
        let key = "bench/\(name)-deployment"
        try await waitFor(seconds: 30) { await loop.status().contains { $0.target == key } }
        try await Task.sleep(for: .milliseconds(Int.random(in: 0..<1000)))  // requests arrive anywhere in the poll
        let writesBefore = api.scaleWrites.count
        let arrival = ContinuousClock.now
        queued(name)
        try await waitFor(seconds: 30) { api.scaleWrites.dropFirst(writesBefore).contains { $0.name == "\(name)-deployment" && $0.replicas >= 1 } }
        if let write = api.scaleWrites.dropFirst(writesBefore).first(where: { $0.name == "\(name)-deployment" }) {
            reactions.append((write.at - arrival).benchSeconds)
        }
        queued(nil)
        api.delete(.podAutoscalers, namespace: "bench", name: name)
    }
    running.cancel()
    polling.cancel()
    status.cancel()
    try? await http.shutdown()
    try? await client.shutdown()
    try? await activator.stop()
    try? await api.shutdown()

    let sorted = reactions.sorted()
    func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
    print("cold-start: request queued at the activator → 0→1 scale PATCH at the API (\(sorted.count) cold starts, real time, loopback)")
    print("  p50 \(format1(percentile(0.5) * 1000)) ms, p99 \(format1(percentile(0.99) * 1000)) ms, max \(format1((sorted.last ?? .nan) * 1000)) ms")
    print("  baseline: one poll + one decide tick = 3000 ms; p99 / baseline = \(format1(percentile(0.99) / 3))× (goal p99 ≤ 3000 ms)")
}

private func waitFor(seconds: Double, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw BenchmarkTimeout() }
        try await Task.sleep(for: .milliseconds(5))
    }
}
