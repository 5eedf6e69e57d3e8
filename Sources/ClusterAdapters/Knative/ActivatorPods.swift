import Foundation
import Kubernetes
import Logging

/// The metrics URLs of Knative's activator pods: the ready pods labelled `app=activator` in Knative's namespace
/// (`config/core/deployments/activator.yaml`, metrics on container port 9090), listed at most every
/// `refreshSeconds`. A failed list keeps the last URLs.
public actor ActivatorPods {
    private let api: any KubernetesAPI
    private let namespace: String
    private let refreshSeconds: Double
    private let logger: Logger
    private var cached: [String] = []
    private var listedAt: Date?

    /// Creates the source. Default refresh 10 s.
    public init(api: any KubernetesAPI, namespace: String = "knative-serving", refreshSeconds: Double = 10,
                logger: Logger = Logger(label: "inferscale.activator")) {
        self.api = api
        self.namespace = namespace
        self.refreshSeconds = refreshSeconds
        self.logger = logger
    }

    /// `http://<pod IP>:9090/metrics` of each ready activator pod.
    public func urls() async -> [String] {
        if let listedAt, Date().timeIntervalSince(listedAt) < refreshSeconds { return cached }
        listedAt = Date()
        do {
            cached = try await api.listPods(namespace: namespace, labelSelector: "app=activator").items
                .filter { $0.isReady && $0.metadata.deletionTimestamp == nil }
                .compactMap(\.status?.podIP)
                .map { $0.contains(":") ? "http://[\($0)]:9090/metrics" : "http://\($0):9090/metrics" }
                .sorted()
        } catch {
            logger.warning("cannot list the activator's pods; polling the last known ones", metadata: ["inferscale.error": "\(error)"])
        }
        return cached
    }
}
