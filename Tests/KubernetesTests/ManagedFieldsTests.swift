import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

/// `metadata.managedFields` on the fake as the API server keeps them (Kubernetes docs, "Server-Side Apply",
/// field management), and the client's scale writes naming inferscale's field manager.
@Suite struct ManagedFieldsTests {
    @Test func aScaleWriteMovesReplicasToInferscaleAndAnHPAsWriteTakesThemBack() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 2, matchLabels: ["app": "web"])
            var deployment = try await client.getDeployment(namespace: "ml", name: "web")
            #expect(deployment.metadata.managedFields?.replicasManager == "manager")  // the creator owns what it set

            _ = try await ScaleUpdater(api: client).setReplicas(namespace: "ml", deployment: "web", replicas: 5)
            #expect(server.requests.last { $0.method == "PATCH" }?.query == "fieldManager=inferscale")
            deployment = try await client.getDeployment(namespace: "ml", name: "web")
            let entries = try #require(deployment.metadata.managedFields)
            #expect(entries.replicasManager == "inferscale")
            let ours = try #require(entries.first { $0.manager == "inferscale" })
            #expect(ours.subresource == "scale" && ours.operation == "Update" && ours.apiVersion == "apps/v1")
            // The creator lost spec.replicas only; it still owns the selector.
            let creator = try #require(entries.first { $0.manager == "manager" })
            #expect(creator.fieldsV1?.contains(path: ["spec", "replicas"]) == false)
            #expect(creator.fieldsV1?.contains(path: ["spec", "selector", "matchLabels", "app"]) == true)

            // The /scale view: the owners of spec.replicas, in autoscaling/v1.
            let scale = try await client.getScale(namespace: "ml", deployment: "web")
            #expect(scale.metadata.managedFields?.map(\.manager) == ["inferscale"])
            #expect(scale.metadata.managedFields?.first?.apiVersion == "autoscaling/v1")

            // A write that changes nothing changes no ownership.
            _ = try await client.patchScale(namespace: "ml", deployment: "web", replicas: 5, resourceVersion: nil)
            #expect(try await client.getScale(namespace: "ml", deployment: "web").metadata.managedFields?.replicasManager == "inferscale")

            server.setReplicas(namespace: "ml", deployment: "web", replicas: 3)  // an HPA
            deployment = try await client.getDeployment(namespace: "ml", name: "web")
            #expect(deployment.metadata.managedFields?.replicasManager == "kube-controller-manager")
            // inferscale's entry owned nothing else and is gone.
            #expect(deployment.metadata.managedFields?.contains { $0.manager == "inferscale" } == false)
        }
    }

    @Test func managedFieldsAreReadButNeverSentBack() throws {
        let json = #"{"name":"web","managedFields":[{"manager":"inferscale","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}},"subresource":"scale"}]}"#
        let meta = try JSONDecoder().decode(ObjectMeta.self, from: Data(json.utf8))
        #expect(meta.managedFields?.replicasManager == "inferscale")
        let encoded = String(decoding: try JSONEncoder().encode(meta), as: UTF8.self)
        #expect(!encoded.contains("managedFields"))
        #expect(encoded.contains(#""name":"web""#))
    }

    @Test func noEntryOwningReplicasMeansNoKnownOwner() {
        let entries = [ManagedFieldsEntry(manager: "kubectl", fieldsV1: FieldSet(path: ["metadata", "labels"]))]
        #expect(entries.replicasManager == nil)
        #expect(FieldSet(path: ["spec", "replicas"]).contains(path: ["spec", "replicas"]))
        #expect(!FieldSet(path: ["spec"]).contains(path: ["spec", "replicas"]))
    }
}
