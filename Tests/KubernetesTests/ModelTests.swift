import Foundation
import NIOCore
import Testing

@testable import Kubernetes

@Suite struct ModelTests {
    @Test func microTimeRoundTrips() throws {
        let date = Date(timeIntervalSince1970: 1_767_225_605.25)
        #expect(KubernetesTime.formatMicroTime(date) == "2026-01-01T00:00:05.250000Z")
        #expect(KubernetesTime.formatTime(date) == "2026-01-01T00:00:05Z")
        #expect(KubernetesTime.parse("2026-01-01T00:00:05.250000Z") == date)
        #expect(KubernetesTime.parse("2026-01-01T00:00:05Z") == Date(timeIntervalSince1970: 1_767_225_605))
        #expect(KubernetesTime.parse("2026-01-01T02:00:05+02:00") == Date(timeIntervalSince1970: 1_767_225_605))
        #expect(KubernetesTime.formatMicroTime(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000000Z")
        for bad in ["", "2026-13-01T00:00:05Z", "2026-01-01 00:00:05Z", "2026-01-01T00:00:05", "2026-01-01T00:00:05.Z"] {
            #expect(KubernetesTime.parse(bad) == nil)
        }
    }

    @Test func podDecodingIgnoresUnknownFieldsAndDerivesReadiness() throws {
        let json = """
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1","namespace":"ml","resourceVersion":"7",
             "labels":{"app":"web"},"managedFields":[{"manager":"kubectl"}]},
             "spec":{"containers":[{"name":"c","image":"i"}],"nodeName":"n1"},
             "status":{"phase":"Running","podIP":"10.1.2.3","conditions":[{"type":"Ready","status":"True",
             "lastTransitionTime":"2026-01-01T00:00:00Z"}],"qosClass":"Burstable"}}
            """
        var pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        #expect(pod.metadata.labels == ["app": "web"])
        #expect(pod.status?.podIP == "10.1.2.3")
        #expect(pod.isReady)
        #expect(pod.readySince == Date(timeIntervalSince1970: 1_767_225_600))
        pod.metadata.deletionTimestamp = "2026-01-01T00:00:01Z"
        #expect(!pod.isReady)
        let pending = try JSONDecoder().decode(Pod.self, from: Data(#"{"metadata":{"name":"p"},"status":{"phase":"Pending"}}"#.utf8))
        #expect(!pending.isReady)
    }

    @Test func inferenceServiceFields() throws {
        let json = """
            {"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService",
             "metadata":{"name":"llama","namespace":"ml","annotations":{"serving.kserve.io/deploymentMode":"RawDeployment"}},
             "spec":{"predictor":{"minReplicas":1,"maxReplicas":4,"scaleMetric":"concurrency","scaleTarget":8,
             "containerConcurrency":16,"model":{"modelFormat":{"name":"huggingface"}}}},"status":{"url":"http://x"}}
            """
        let service = try JSONDecoder().decode(InferenceService.self, from: Data(json.utf8))
        #expect(service.deploymentMode == "RawDeployment")
        #expect(service.predictorDeploymentName == "llama-predictor")
        #expect(service.spec?.predictor == PredictorSpec(minReplicas: 1, maxReplicas: 4, scaleMetric: "concurrency", scaleTarget: 8, containerConcurrency: 16))
    }

    @Test func emptyListWithNullItems() throws {
        let list = try JSONDecoder().decode(
            ObjectList<Pod>.self, from: Data(#"{"kind":"PodList","metadata":{"resourceVersion":"42"},"items":null}"#.utf8))
        #expect(list.items.isEmpty)
        #expect(list.metadata.resourceVersion == "42")
    }

    @Test func watchLinesAreSplitAndBounded() throws {
        var splitter = WatchLineSplitter(maxLineBytes: 16)
        try splitter.append(ByteBuffer(string: "{\"a\":1}\n{\"b\""))
        #expect(try splitter.nextLine().map { String(buffer: $0) } == "{\"a\":1}")
        #expect(try splitter.nextLine() == nil)
        try splitter.append(ByteBuffer(string: ":2}\n"))
        #expect(try splitter.nextLine().map { String(buffer: $0) } == "{\"b\":2}")
        try splitter.append(ByteBuffer(string: "   "))
        #expect(splitter.remainder() == nil)

        var hostile = WatchLineSplitter(maxLineBytes: 16)
        #expect(throws: WatchLineSplitter.Failure.self) {
            for _ in 0..<10 { try hostile.append(ByteBuffer(string: "xxxxxxxx")) }
        }
    }

    @Test func watchEventDecoding() throws {
        let added = try WatchEventReader<Pod>.decode(
            ByteBuffer(string: #"{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"5"}}}"#))
        #expect(added.type == .added && added.resourceVersion == "5" && added.object?.metadata.name == "a")
        let bookmark = try WatchEventReader<Pod>.decode(
            ByteBuffer(string: #"{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"9"}}}"#))
        #expect(bookmark.type == .bookmark && bookmark.resourceVersion == "9" && bookmark.object == nil)
        let error = try WatchEventReader<Pod>.decode(
            ByteBuffer(
                string: #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 200 (240)","reason":"Expired","code":410}}"#))
        #expect(error.type == .error && error.status?.code == 410 && error.status?.reason == "Expired")
        #expect(throws: DecodingError.self) {
            _ = try WatchEventReader<Pod>.decode(ByteBuffer(string: #"{"type":"SURPRISE","object":{}}"#))
        }
    }

    @Test func rbacPermissionText() {
        let permission = RBACPermission(verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: "ml")
        #expect(permission.description == "verb \"get\" on \"leases\" in API group \"coordination.k8s.io\" in namespace \"ml\"")
        #expect(permission.roleRule == "{apiGroups: [\"coordination.k8s.io\"], resources: [\"leases\"], verbs: [\"get\"]}")
    }
}
