import Foundation
import Kubernetes
import KubernetesTestKit
import Logging
import Testing
@testable import ClusterAdapters

/// The NotScaling Warning Events a user reads with `kubectl describe`: one per change of reason, at most one per
/// object every five minutes (however often the reason flips), and at once again after the problem went away.
@Suite struct NotScalingEventTests {
    /// A settable clock for the recorder.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var time = Date(timeIntervalSince1970: 1_800_000_000)
        var now: Date { lock.withLock { time } }
        func advance(_ seconds: Double) { lock.withLock { time += seconds } }
    }

    @Test func oneEventPerChangeOfReasonAndAtMostOneEveryFiveMinutes() async throws {
        try await FakeCluster.with(endpoints: 0) { c in
            let clock = ManualClock()
            let recorder = OwnershipEventRecorder(api: c.client, instance: "test", now: { clock.now }, logger: Logger(label: "test"))
            let isvc = ObjectReference(apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", namespace: "llm", name: "chat")
            func messages() -> [String] {
                c.api.objects(.events, namespace: "llm").filter { $0["reason"]?.stringValue == "NotScaling" }
                    .compactMap { $0["message"]?.stringValue }.sorted()
            }
            await recorder.notScaling(isvc, target: "llm/chat-predictor", reason: "autoscalerClass hpa")
            clock.advance(1)
            await recorder.notScaling(isvc, target: "llm/chat-predictor", reason: "autoscalerClass hpa")
            #expect(messages() == ["not scaling llm/chat-predictor: autoscalerClass hpa"])
            // A new reason within five minutes waits; after them it is recorded.
            clock.advance(60)
            await recorder.notScaling(isvc, target: "llm/chat-predictor", reason: "autoscalerClass keda")
            #expect(messages().count == 1)
            clock.advance(300)
            await recorder.notScaling(isvc, target: "llm/chat-predictor", reason: "autoscalerClass keda")
            #expect(messages() == ["not scaling llm/chat-predictor: autoscalerClass hpa", "not scaling llm/chat-predictor: autoscalerClass keda"])
            // The problem went away and came back: the user hears of it at once.
            await recorder.clear(isvc, target: "llm/chat-predictor", eventReason: "NotScaling")
            clock.advance(1)
            await recorder.notScaling(isvc, target: "llm/chat-predictor", reason: "autoscalerClass keda")
            #expect(messages().count == 3)
            let event = try #require(c.api.objects(.events, namespace: "llm").first)
            #expect(event["type"]?.stringValue == "Warning")
            #expect(event[path: ["involvedObject", "kind"]]?.stringValue == "InferenceService")
        }
    }
}
