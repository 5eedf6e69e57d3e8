import Foundation
import KubernetesTestKit
import PodTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM stops `inferscale run` within a few seconds whatever the pods do: here four targets
/// whose pods hold every scrape for 30 s (scraped one after another, their 3 s deadlines alone
/// would add up to 12 s).
@Suite struct RunShutdownTests {
    @Test func sigtermStopsWithinSecondsWhileAPodHangs() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        let pods = CannedMetricsServer()
        let podPort = try await pods.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var instance: RunLeaderElectionTests.Instance?
        defer {
            instance?.kill()
            try? FileManager.default.removeItem(at: directory)
        }
        for i in 0..<4 {
            _ = api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": .string("chat\(i)"), "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": ["minReplicas": 1]]])
            _ = api.addDeployment(namespace: "llm", name: "chat\(i)-predictor", replicas: 1, matchLabels: ["app": "chat\(i)"])
            api.setPod(namespace: "llm", name: "chat\(i)-1", labels: ["app": "chat\(i)"], podIP: "127.0.0.1")
        }
        pods.set("/metrics", .init(body: RunLeaderElectionTests.vllm(running: 5), delay: 30))
        let rules = directory.appendingPathComponent("rules.yaml")
        try """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: chat
                match: {namespace: llm}
                source: {runtime: vllm, port: \(podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
            """.write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try RunLeaderElectionTests.kubeconfig(api, in: directory)
        let run = try RunLeaderElectionTests.Instance(identity: "inferscale-term", arguments: [
            "--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path, "--http-host", "127.0.0.1",
            "--http-port", "0", "--activator-port", "0", "--no-leader-election",
        ], directory: directory)
        instance = run
        // Wait until every target's scrape hangs at its pod, then terminate.
        let hanging = try await RunLeaderElectionTests.within(20) { pods.requests("/metrics") >= 4 }
        #expect(hanging != nil, "the pod was never scraped; log:\n\(run.output.suffix(2000))")
        let sent = ContinuousClock.now
        kill(run.process.processIdentifier, SIGTERM)
        let exited = try await RunLeaderElectionTests.within(10) { !run.process.isRunning }
        let took = ContinuousClock.now - sent
        #expect(exited != nil, "still running 10 s after SIGTERM; log:\n\(run.output.suffix(2000))")
        #expect(took < .seconds(5), "took \(took)")
        #expect(run.output.contains("control loop stopped"))
        try? await pods.stop()
        try? await api.shutdown()
    }
}
