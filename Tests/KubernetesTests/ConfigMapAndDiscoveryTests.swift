import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

/// Knative's `config-autoscaler` read by name (a `fieldSelector` the fake applies as the API server does) and API
/// discovery of Knative's PodAutoscaler resource.
@Suite struct ConfigMapAndDiscoveryTests {
    static func configMap(_ name: String, _ data: [String: String]) -> JSONValue {
        ["metadata": ["name": .string(name)], "data": .object(data.mapValues { .string($0) })]
    }

    @Test func listAndWatchSeeOnlyTheNamedConfigMap() async throws {
        try await withFakeAPI { server, client in
            server.put(.configMaps, namespace: "knative-serving", object: Self.configMap("config-autoscaler", ["stable-window": "60s"]))
            server.put(.configMaps, namespace: "knative-serving", object: Self.configMap("config-network", ["x": "y"]))
            let list = try await client.listConfigMaps(namespace: "knative-serving", name: "config-autoscaler")
            #expect(list.items.map(\.metadata.name) == ["config-autoscaler"])
            #expect(list.items.first?.data?["stable-window"] == "60s")
            #expect(server.requests.last?.query.contains("fieldSelector=metadata.name=config-autoscaler") == true)

            let version = try #require(list.metadata.resourceVersion)
            let stream = try await client.watchConfigMaps(namespace: "knative-serving", name: "config-autoscaler", resourceVersion: version)
            server.put(.configMaps, namespace: "knative-serving", object: Self.configMap("config-network", ["x": "z"]))
            server.put(.configMaps, namespace: "knative-serving", object: Self.configMap("config-autoscaler", ["stable-window": "90s"]))
            var iterator = stream.makeAsyncIterator()
            let event = try #require(try await iterator.next())
            #expect(event.type == .modified)
            #expect(event.object?.metadata.name == "config-autoscaler")
            #expect(event.object?.data?["stable-window"] == "90s")
        }
    }

    @Test func theWatcherDeliversEveryChange() async throws {
        try await withFakeAPI { server, client in
            let seen = AsyncStream<[String: String]?>.makeStream()
            let watcher = ConfigMapWatcher(api: client, namespace: "knative-serving", name: "config-autoscaler")
            let task = Task { await watcher.run { seen.continuation.yield($0.objects["config-autoscaler"]?.data) } }
            defer { task.cancel() }
            var updates = seen.stream.makeAsyncIterator()
            #expect(await updates.next() == .some(nil))  // none yet
            try await server.waitUntil("the watch", timeout: .seconds(10)) { $0.openWatchCount > 0 }
            server.put(.configMaps, namespace: "knative-serving", object: Self.configMap("config-autoscaler", ["pod-autoscaler-class": "inferscale.dev"]))
            #expect(await updates.next() == .some(["pod-autoscaler-class": "inferscale.dev"]))
            server.delete(.configMaps, namespace: "knative-serving", name: "config-autoscaler")
            #expect(await updates.next() == .some(nil))
        }
    }

    /// Discovery answers whether Knative Serving is installed, and needs no RBAC rule (`system:discovery`).
    @Test func discoveryOfThePodAutoscalerResource() async throws {
        try await withFakeAPI { server, client in
            server.setRBAC([])
            let group = "autoscaling.internal.knative.dev"
            let served = try await client.servesResource(group: group, version: "v1alpha1", resource: "podautoscalers")
            let otherResource = try await client.servesResource(group: group, version: "v1alpha1", resource: "metrics")
            server.uninstall(.podAutoscalers)
            let afterUninstall = try await client.servesResource(group: group, version: "v1alpha1", resource: "podautoscalers")
            #expect(served)
            #expect(!otherResource)
            #expect(!afterUninstall)
            // A server that fails is an error, not "not installed".
            server.failNextRequests(1, status: 503)
            let error = await kubernetesError { _ = try await client.servesResource(group: "apps", version: "v1", resource: "deployments") }
            #expect(error?.code == .serverError)
        }
    }
}
