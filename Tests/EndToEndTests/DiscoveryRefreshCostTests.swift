import ClusterAdapters
import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

/// A discovery refresh reads a target's scale subresource again only when the Deployment watch saw the
/// Deployment change, so its cost does not grow with refreshes × targets (issue 14, part 2).
@Suite(.serialized) struct DiscoveryRefreshCostTests {
    @Test func refreshReadsTheScaleOnlyAfterTheDeploymentChanged() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        var configuration = KubernetesClientConfiguration(server: api.baseURL)
        configuration.timeouts.request = .seconds(10)
        let client = try KubernetesClient(configuration: configuration)
        var failure: Error?
        do {
            api.put(.inferenceServices, namespace: "llm", object: [
                "metadata": ["name": "chat", "annotations": ["serving.kserve.io/autoscalerClass": "external"]],
                "spec": ["predictor": ["minReplicas": 1]],
            ])
            api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 2, matchLabels: ["app": "chat"])
            api.setPod(namespace: "llm", name: "chat-0", labels: ["app": "chat"], podIP: "127.0.0.1")
            // Every call refreshes.
            let discovery = KubernetesDiscovery(api: client, namespaces: ["llm"], refreshSeconds: 0)
            let watching = Task { await discovery.watchPods() }
            defer { watching.cancel() }
            try await api.waitUntil("the pod and Deployment watches", timeout: .seconds(30)) { $0.openWatchCount >= 2 }

            let scaleReads = { api.requestCount(method: "GET", pathSuffix: "/deployments/chat-predictor/scale") }
            // The first refreshes may run before the watch delivered the Deployment; after that none reads again.
            for _ in 0..<3 { _ = try await discovery.targets() }
            let settled = scaleReads()
            for _ in 0..<10 { _ = try await discovery.targets() }
            #expect(scaleReads() == settled, "refreshes re-read an unchanged scale subresource")
            #expect(try await discovery.targets().first?.replicas == 2)

            // Another writer changes the replicas: the watch sees the new version, the next refresh reads again.
            api.setReplicas(namespace: "llm", deployment: "chat-predictor", replicas: 3)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            var replicas = try await discovery.targets().first?.replicas
            while replicas != 3 && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                replicas = try await discovery.targets().first?.replicas
            }
            #expect(replicas == 3)
            #expect(scaleReads() > settled)
        } catch {
            failure = error
        }
        try? await client.shutdown()
        try? await api.shutdown()
        if let failure { throw failure }
    }
}
