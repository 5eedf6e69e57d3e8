import Foundation
import KubernetesTestKit
import PodTestKit
import RemoteWriteTestKit
import Testing

/// What an operator of `inferscale run` sees, from the built binary against the fake API: a scale write that RBAC
/// refuses is logged once and stays visible in `/debug/targets` (naming the refused ServiceAccount and the shipped
/// ClusterRole) and in `inferscale_scale_patches_total{outcome="error"}`; a paused target is decided but not
/// patched, and says so in `/debug/targets`, `explain` and `inferscale_target_control`; another writer's changes
/// are counted in `inferscale_replica_conflicts_total` and, repeated, leave the target skipped with the reason.
@Suite struct RunTargetStatusTests {
    /// The line of `metrics` that starts with `series ` (name and labels), as its value.
    static func value(of series: String, in metrics: String) -> Double? {
        metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    /// `/debug/targets`, by target key.
    static func targets(_ url: String) async -> [String: [String: Any]] {
        guard let text = await RunGPUMemoryTests.get(url),
              let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else { return [:] }
        return Dictionary(list.compactMap { t in (t["target"] as? String).map { ($0, t) } }, uniquingKeysWith: { a, _ in a })
    }

    @Test func aRefusedWriteAndAPausedTargetAreShownWhereOperatorsLook() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        // inferscale's grants, less the one a scale write needs.
        api.setRBAC(FakeRBACRule.inferscale.map { rule in
            var r = rule
            if r.resources == ["deployments/scale"] { r.verbs.remove("patch") }
            return r
        })
        let pods = CannedMetricsServer()
        let podPort = try await pods.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var instance: RunLeaderElectionTests.Instance?
        defer {
            instance?.kill()
            try? FileManager.default.removeItem(at: directory)
        }
        let objects: [(String, [String: String])] = [
            ("chat", [:]), ("held", ["inferscale.dev/paused": "true"]), ("pinned", ["inferscale.dev/paused-replicas": "1"]),
        ]
        for (name, extra) in objects {
            let annotations = extra.merging(["serving.kserve.io/autoscalerClass": "external"]) { a, _ in a }
            api.put(.inferenceServices, namespace: "llm", object: [
                "metadata": ["name": .string(name), "annotations": .object(annotations.mapValues { .string($0) })],
                "spec": ["predictor": ["minReplicas": 1]],
            ])
            api.addDeployment(namespace: "llm", name: "\(name)-predictor", replicas: 1, matchLabels: ["app": name])
            api.setPod(namespace: "llm", name: "\(name)-1", labels: ["app": name], podIP: "127.0.0.1")
        }
        pods.set("/metrics", .init(body: RunLeaderElectionTests.vllm(running: 40)))
        let rules = directory.appendingPathComponent("rules.yaml")
        try """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: llm
                match: {namespace: llm}
                source: {runtime: vllm, port: \(podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
                  minReplicas: 1
                  maxReplicas: 20
            """.write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try RunLeaderElectionTests.kubeconfig(api, in: directory)
        let httpPort = try await PrometheusServer.freePort()
        let debugPort = try await PrometheusServer.freePort()
        instance = try RunLeaderElectionTests.Instance(identity: "inferscale-status", arguments: [
            "--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path, "--http-host", "127.0.0.1",
            "--http-port", "\(httpPort)", "--debug-port", "\(debugPort)", "--activator-port", "0", "--push-port", "0",
            "--no-leader-election",
        ], directory: directory)

        // Three refused writes at least (one per decide tick, 2 s apart), so "logged once" means something.
        let chatErrors = #"inferscale_scale_patches_total{target="llm/chat-predictor",outcome="error"}"#
        var metrics = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            metrics = await RunGPUMemoryTests.get("http://127.0.0.1:\(httpPort)/metrics") ?? ""
            if (Self.value(of: chatErrors, in: metrics) ?? 0) >= 3 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let log = instance?.output ?? ""
        #expect((Self.value(of: chatErrors, in: metrics) ?? 0) >= 3, "metrics:\n\(metrics.suffix(3000))\nlog:\n\(log.suffix(3000))")
        let failures = log.split(separator: "\n").filter { $0.hasSuffix("] scale failed") }.count
        #expect(failures == 1, "'scale failed' logged \(failures) times:\n\(log.suffix(3000))")

        let targets = await Self.targets("http://127.0.0.1:\(debugPort)/debug/targets")
        let chat = targets["llm/chat-predictor"] ?? [:]
        let patchError = chat["patchError"] as? String ?? ""
        #expect(patchError.contains("ServiceAccount inferscale/inferscale"), "\(chat)")
        #expect(patchError.contains("the ClusterRole inferscale (deploy/base/rbac.yaml)"), "\(patchError)")
        #expect(chat["control"] as? String == "owned")

        let held = targets["llm/held-predictor"] ?? [:]
        #expect(held["control"] as? String == "paused", "\(held)")
        #expect(held["desired"] as? Int == 4)
        #expect(held["patchError"] == nil)
        let pinned = targets["llm/pinned-predictor"] ?? [:]
        #expect(pinned["control"] as? String == "paused", "\(pinned)")
        #expect(pinned["pausedReplicas"] as? Int == 1)
        #expect(Self.value(of: #"inferscale_target_control{target="llm/held-predictor",state="paused"}"#, in: metrics) == 1)
        #expect(Self.value(of: #"inferscale_target_control{target="llm/held-predictor",state="owned"}"#, in: metrics) == 0)

        let explained = try await CLIRunner.runDetached(["explain", "llm/held-predictor", "--url", "http://127.0.0.1:\(debugPort)", "--last", "1", "--timeout", "10"])
        #expect(explained.stdout.contains("paused: 4 → 1 (inferscale.dev/paused: not applied)"), "\(explained.stdout)\(explained.stderr)")
        // Nothing but the chat target's scale writes was attempted, and every other call was granted.
        let refused = api.requests.filter { $0.status == 403 }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.path.hasSuffix("/deployments/chat-predictor/scale") }, "\(refused.map(\.path))")
        #expect(api.scaleWrites.isEmpty)

        // Another writer sets the refused target's replicas twice: counted, and the target is left alone with the reason.
        let conflicts = #"inferscale_replica_conflicts_total{target="llm/chat-predictor"}"#
        var chatNow: [String: Any] = [:]
        func poll(until done: () -> Bool) async throws {
            let until = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < until {
                metrics = await RunGPUMemoryTests.get("http://127.0.0.1:\(httpPort)/metrics") ?? ""
                chatNow = await Self.targets("http://127.0.0.1:\(debugPort)/debug/targets")["llm/chat-predictor"] ?? [:]
                if done() { return }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: 2)
        try await poll { Self.value(of: conflicts, in: metrics) == 1 }
        #expect(Self.value(of: conflicts, in: metrics) == 1, "\(metrics.suffix(2000))")
        api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: 3)
        // Each poll reads /metrics before /debug/targets, so wait for both to show the change: the one read first
        // can trail the other by a tick.
        let skipped = #"inferscale_target_control{target="llm/chat-predictor",state="skipped"}"#
        try await poll { chatNow["control"] as? String == "skipped" && Self.value(of: skipped, in: metrics) == 1 }
        #expect(chatNow["control"] as? String == "skipped", "\(chatNow)")
        #expect(Self.value(of: conflicts, in: metrics) == 2, "\(metrics.suffix(2000))")
        #expect((chatNow["skipReason"] as? String)?.contains("another writer changed spec.replicas 2 times") == true, "\(chatNow)")
        #expect(Self.value(of: skipped, in: metrics) == 1, "\(metrics.suffix(2000))")

        instance?.kill()
        try? await pods.stop()
        try? await api.shutdown()
    }
}
