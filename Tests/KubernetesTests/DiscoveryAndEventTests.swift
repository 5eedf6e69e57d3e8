import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

@Suite struct DiscoveryAndEventTests {
    @Test func scalingEventIsRecordedOnTheDeployment() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 2, matchLabels: ["app": "web"])
            let recorder = ScalingEventRecorder(
                api: client, instance: "inferscale-0", now: { Date(timeIntervalSince1970: 1_767_225_605) })
            let event = try await recorder.recordScaled(
                namespace: "ml", deployment: "web", uid: "u-1", from: 2, to: 5, reason: "panic mode: 41 requests in flight for 8 per pod")
            #expect(event.metadata.resourceVersion != nil)
            let stored = server.objects(.events, namespace: "ml")
            #expect(stored.count == 1)
            let object = try #require(stored.first)
            #expect(object["reason"]?.stringValue == "ScaledUp")
            #expect(object["message"]?.stringValue == "Scaled deployment web from 2 to 5 replicas: panic mode: 41 requests in flight for 8 per pod")
            #expect(object[path: ["involvedObject", "kind"]]?.stringValue == "Deployment")
            #expect(object[path: ["involvedObject", "uid"]]?.stringValue == "u-1")
            #expect(object["lastTimestamp"]?.stringValue == "2026-01-01T00:00:05Z")
            #expect(object[path: ["source", "component"]]?.stringValue == "inferscale")

            let down = recorder.makeEvent(namespace: "ml", deployment: "web", uid: nil, from: 5, to: 0, reason: String(repeating: "x", count: 5000))
            #expect(down.reason == "ScaledToZero")
            #expect(down.message?.count == ScalingEventRecorder.maxMessageLength)

            server.setRBAC(FakeRBACRule.inferscale.filter { !$0.resources.contains("events") })
            let error = await kubernetesError { _ = try await recorder.recordScaled(namespace: "ml", deployment: "web", uid: nil, from: 1, to: 2, reason: "r") }
            #expect(error?.missingPermission == RBACPermission(verb: "create", group: "", resource: "events", namespace: "ml"))
        }
    }

    @Test func fakeKeepsTheObservedQuirksAndUnderstandsEqualitySelectors() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            let quirk = await kubernetesError {
                _ = try await client.patchScale(namespace: "ml", deployment: "web", replicas: 2, resourceVersion: "abc")
            }
            #expect(quirk?.httpStatus == 500)
            #expect(quirk?.message == "strconv.ParseUint: parsing \"abc\": invalid syntax")
            server.setRBAC(FakeRBACRule.inferscale)
            _ = try await client.getScale(namespace: "ml", deployment: "web")
            _ = try await client.listInferenceServices(namespace: "ml")
            server.setPod(namespace: "ml", name: "a", labels: ["app": "web", "tier": "main"])
            server.setPod(namespace: "ml", name: "b", labels: ["app": "web", "tier": "canary"])
            server.setPod(namespace: "ml", name: "c", labels: ["app": "web", "legacy": "yes"])
            let pods = try await client.listPods(namespace: "ml", labelSelector: "app=web,tier!=canary,!legacy")
            #expect(pods.items.compactMap(\.metadata.name) == ["a"])
            let badSelector = await kubernetesError { _ = try await client.listPods(namespace: "ml", labelSelector: "app in (a,b)") }
            #expect(badSelector?.httpStatus == 400)
            // Writes outside the granted rules are refused.
            let denied = await kubernetesError { _ = try await client.listPods(namespace: "other", labelSelector: nil) }
            #expect(denied == nil)  // the inferscale rules are not namespace-limited
            server.setRBAC([FakeRBACRule(apiGroups: [""], resources: ["pods"], verbs: ["list"], namespaces: ["ml"])])
            let otherNamespace = await kubernetesError { _ = try await client.listPods(namespace: "other", labelSelector: nil) }
            #expect(otherNamespace?.code == .forbidden)
        }
    }
}
