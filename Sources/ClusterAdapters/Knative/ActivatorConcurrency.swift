import Exposition

/// The requests the Knative activator holds or proxies per revision, read from its Prometheus metrics: the gauge
/// `kn.revision.request.concurrency` (`pkg/activator/handler/metrics.go`; dots become underscores in Prometheus
/// exposition) with the revision in `kn_revision_name` and its namespace in `k8s_namespace_name`
/// (`pkg/metrics/key.go`). Several series of one revision (other attribute sets) are summed. A revision without a
/// series is absent — no data, never zero.
public enum ActivatorConcurrency {
    /// The metric name in Prometheus exposition.
    public static let metric = "kn_revision_request_concurrency"

    /// One revision.
    public struct Revision: Sendable, Hashable {
        /// Namespace.
        public var namespace: String
        /// Revision (and PodAutoscaler) name.
        public var name: String

        /// Creates a key.
        public init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }
    }

    /// Concurrency per revision in one activator's exposition; `ExpositionError` for a malformed body.
    public static func read(_ body: [UInt8], format: ExpositionFormat = .prometheusText) throws(ExpositionError) -> [Revision: Double] {
        var parser = ExpositionParser(format: format)
        let parsed = try parser.parse(body)
        var result: [Revision: Double] = [:]
        for family in parsed.families where family.name == metric {
            for sample in family.samples where sample.name == metric {
                guard let namespace = sample.labels["k8s_namespace_name"], let name = sample.labels["kn_revision_name"],
                      sample.value.isFinite, sample.value >= 0 else { continue }
                result[Revision(namespace: namespace, name: name), default: 0] += sample.value
            }
        }
        return result
    }
}
