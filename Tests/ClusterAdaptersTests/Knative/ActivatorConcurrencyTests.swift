import ClusterAdapters
import Exposition
import Testing

/// Reading the activator's `kn_revision_request_concurrency` gauge (`pkg/activator/handler/metrics.go`, attributes
/// from `pkg/metrics/key.go`, as the OpenTelemetry Prometheus exporter writes them: dots to underscores).
@Suite struct ActivatorConcurrencyTests {
    static func read(_ text: String) throws -> [ActivatorConcurrency.Revision: Double] {
        try ActivatorConcurrency.read(Array(text.utf8))
    }

    @Test func readsEachRevisionAndSumsItsSeries() throws {
        let text = """
            # HELP kn_revision_request_concurrency Concurrent requests that are routed to Activator
            # TYPE kn_revision_request_concurrency gauge
            kn_revision_request_concurrency{k8s_namespace_name="ml",kn_revision_name="chat-00001",kn_service_name="chat",otel_scope_name="knative.dev/serving/pkg/activator"} 2.5
            kn_revision_request_concurrency{k8s_namespace_name="ml",kn_revision_name="chat-00001",kn_service_name="chat-other"} 1
            kn_revision_request_concurrency{k8s_namespace_name="ml",kn_revision_name="idle-00003"} 0
            kn_revision_request_concurrency{kn_revision_name="no-namespace"} 7
            # TYPE kn_revision_request_queued gauge
            kn_revision_request_queued{k8s_namespace_name="ml",kn_revision_name="chat-00001"} 9

            """
        let result = try Self.read(text)
        #expect(result == [
            .init(namespace: "ml", name: "chat-00001"): 3.5,
            // A series at 0 is a reading of 0 …
            .init(namespace: "ml", name: "idle-00003"): 0,
        ])
        // … and a revision with no series is absent: no data, never zero.
        #expect(result[.init(namespace: "ml", name: "other-00001")] == nil)
    }

    @Test func malformedBodyIsAnError() {
        #expect(throws: ExpositionError.self) {
            try Self.read("kn_revision_request_concurrency{k8s_namespace_name=\"ml\" 1\n")
        }
    }

    @Test func emptyBodyHasNoRevisions() throws {
        #expect(try Self.read("").isEmpty)
    }
}
