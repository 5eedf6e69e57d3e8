import Foundation
import KubernetesTestKit
import Testing

/// `inferscale check` against the fake API server: every target with its rule and owner, and the reason for
/// each skipped one (KServe's autoscaler-class contract, an HPA on the workload).
@Suite struct CheckCommandTests {
    @Test func listsTargetsOwnersAndReasons() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inferscale-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        api.put(.inferenceServices, namespace: "llm", object: [
            "metadata": ["name": "chat", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": [:]],
        ])
        api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 2, matchLabels: ["app": "isvc.chat-predictor"])
        api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": "legacy"], "spec": ["predictor": [:]]])
        api.addDeployment(namespace: "llm", name: "web", replicas: 3, matchLabels: ["app": "web"])
        api.addAutoscaler(namespace: "llm", name: "web", target: "web")
        let rules = directory.appendingPathComponent("rules.yaml")
        try """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: chat
                match: {namespace: llm, inferenceService: chat}
                source: {runtime: vllm}
                policy: {metrics: [{signal: running, target: 10}]}
              - name: web
                match: {namespace: llm, deployment: web, labels: {app: web}}
                policy: {metrics: [{signal: concurrency, target: 10}]}
            """.write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try RunLeaderElectionTests.kubeconfig(api, in: directory)
        let result = try await CLIRunner.runDetached(["check", "--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path])
        try? await api.shutdown()
        #expect(result.status == 3, "stderr: \(result.stderr) stdout: \(result.stdout)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("TARGET") == true)
        let chat = try #require(lines.first { $0.hasPrefix("llm/chat-predictor ") })
        #expect(chat.contains(" chat ") && chat.contains(" owned ") && chat.contains(" 2"))
        let legacy = try #require(lines.first { $0.hasPrefix("llm/legacy-predictor ") })
        #expect(legacy.contains("skipped") && legacy.contains("no serving.kserve.io/autoscalerClass"))
        let web = try #require(lines.first { $0.hasPrefix("llm/web ") })
        #expect(web.contains("skipped") && web.contains("HorizontalPodAutoscaler web"))
        // Nothing was written.
        #expect(api.scaleWrites.isEmpty)
    }
}
