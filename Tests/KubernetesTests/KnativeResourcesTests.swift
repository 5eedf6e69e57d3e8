import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

/// PodAutoscalers and ServerlessServices through the client against the fake, with the API server's semantics
/// for custom resources with a status subresource (Knative's CRDs, `config/core/300-resources/podautoscaler.yaml`
/// and `serverlessservice.yaml`, declare `subresources: status: {}`): `/status` writes only the status and is
/// guarded by resourceVersion; the main resource ignores a status in its body; generation counts spec changes;
/// owner references are kept as written.
@Suite struct KnativeResourcesTests {
    static let target = ScaleTargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "chat-00001-deployment")

    static func seedPA(_ server: FakeKubernetesAPIServer, name: String = "chat-00001", class: String = "inferscale.dev") {
        server.put(.podAutoscalers, namespace: "ml", object: [
            "metadata": ["name": .string(name), "generation": 1, "annotations": ["autoscaling.knative.dev/class": .string(`class`)]],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string("\(name)-deployment")], "protocolType": "http1"],
        ])
    }

    @Test func statusSubresourceWritesOnlyTheStatus() async throws {
        try await withFakeAPI { server, client in
            Self.seedPA(server)
            var pa = try #require(try await client.listPodAutoscalers(namespace: "ml").items.first)
            #expect(pa.autoscalerClass == "inferscale.dev")
            #expect(pa.spec.scaleTargetRef == Self.target)
            let before = pa.metadata.resourceVersion
            pa.status = PodAutoscalerStatus(conditions: [KnativeCondition(type: "Ready", status: "Unknown")], serviceName: "chat-00001",
                                            desiredScale: 1, actualScale: 0)
            pa.spec.scaleTargetRef.name = "elsewhere"   // ignored by /status
            pa.metadata.annotations?["sneaky"] = "1"   // ignored by /status
            let written = try await client.updatePodAutoscalerStatus(pa)
            #expect(written.status?.desiredScale == 1)
            #expect(written.status?.serviceName == "chat-00001")
            #expect(written.spec.scaleTargetRef == Self.target)
            #expect(written.metadata.annotations?["sneaky"] == nil)
            #expect(written.metadata.generation == 1)
            #expect(written.metadata.resourceVersion != before)

            // The same (now stale) resourceVersion again: 409, as for any stale update.
            let error = await kubernetesError { _ = try await client.updatePodAutoscalerStatus(pa) }
            #expect(error?.code == .conflict)
            #expect(error?.httpStatus == 409)
        }
    }

    @Test func serverlessServiceKeepsStatusAndOwnerAcrossSpecWrites() async throws {
        try await withFakeAPI { server, client in
            let owner = OwnerReference(apiVersion: "autoscaling.internal.knative.dev/v1alpha1", kind: "PodAutoscaler", name: "chat-00001",
                                       uid: "pa-uid", controller: true, blockOwnerDeletion: true)
            var sks = ServerlessService(metadata: ObjectMeta(name: "chat-00001", namespace: "ml", ownerReferences: [owner]),
                                        spec: ServerlessServiceSpec(mode: "Proxy", objectRef: Self.target, protocolType: "http1", numActivators: 2),
                                        status: ServerlessServiceStatus(serviceName: "dropped on create"))
            let created = try await client.createServerlessService(sks)
            #expect(created.status == nil)
            #expect(created.metadata.generation == 1)
            #expect(created.metadata.ownerReferences == [owner])
            #expect(created.metadata.isControlled(byUID: "pa-uid"))
            #expect(!created.metadata.isControlled(byUID: "other"))
            let again = await kubernetesError { _ = try await client.createServerlessService(sks) }
            #expect(again?.code == .alreadyExists)

            // Knative's SKS reconciler fills the status (out of band here).
            var stored = try #require(server.object(.serverlessServices, namespace: "ml", name: "chat-00001"))
            stored["status"] = ["serviceName": "chat-00001", "privateServiceName": "chat-00001-private",
                                "conditions": [["type": "Ready", "status": "True"]]]
            server.put(.serverlessServices, namespace: "ml", object: stored)

            sks = try await client.getServerlessService(namespace: "ml", name: "chat-00001")
            #expect(sks.status?.privateServiceName == "chat-00001-private")
            sks.spec.mode = "Serve"
            sks.status = nil   // a spec write cannot clear the status
            let updated = try await client.updateServerlessService(sks)
            #expect(updated.spec.mode == "Serve")
            #expect(updated.metadata.generation == 2)
            #expect(updated.status?.serviceName == "chat-00001")
            #expect(updated.metadata.ownerReferences == [owner])
            let stale = await kubernetesError { _ = try await client.updateServerlessService(sks) }
            #expect(stale?.code == .conflict)
            let missing = await kubernetesError { _ = try await client.getServerlessService(namespace: "ml", name: "nope") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func uninstalledKnativeIs404() async throws {
        try await withFakeAPI { server, client in
            server.uninstall(.podAutoscalers)
            let error = await kubernetesError { _ = try await client.listPodAutoscalers(namespace: "ml") }
            #expect(error?.code == .notFound)
        }
    }
}
