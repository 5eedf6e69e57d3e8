import Foundation
import Kubernetes
import Logging
import Scraping

/// The node GPU exporters `inferscale run` scrapes: the ready pods of the GPU agent DaemonSet and of NVIDIA's
/// dcgm-exporter, each found by a label selector in one namespace and listed at most every `refreshSeconds`
/// (the pods list is already granted for discovery). A failed list keeps that source's last exporters.
public actor GPUExporterPods {
    /// Where to look.
    public struct Configuration: Sendable, Equatable {
        /// One DaemonSet's pods.
        public struct Source: Sendable, Equatable {
            /// Which series its pods write.
            public var kind: GPUExporter.Kind
            /// The namespace its pods run in.
            public var namespace: String
            /// A Kubernetes label selector for its pods.
            public var labelSelector: String
            /// The port its /metrics is served on.
            public var port: Int
            /// The metrics path.
            public var path: String = "/metrics"

            /// Creates a source.
            public init(kind: GPUExporter.Kind, namespace: String, labelSelector: String, port: Int, path: String = "/metrics") {
                self.kind = kind
                self.namespace = namespace
                self.labelSelector = labelSelector
                self.port = port
                self.path = path
            }

            /// inferscale's GPU agent as deploy/gpu-agent runs it: inferscale-system, port 9401.
            public static let agent = Source(kind: .agent, namespace: "inferscale-system",
                                             labelSelector: "app.kubernetes.io/name=inferscale,app.kubernetes.io/component=gpu-agent", port: 9401)
            /// dcgm-exporter as the NVIDIA GPU Operator runs it (its `assets/state-dcgm-exporter/0800_daemonset.yaml`:
            /// label `app=nvidia-dcgm-exporter`, port 9400; `gpu-operator` is the namespace its Helm chart is installed in).
            public static let dcgmExporter = Source(kind: .dcgmExporter, namespace: "gpu-operator",
                                                    labelSelector: "app=nvidia-dcgm-exporter", port: 9400)
        }

        /// The DaemonSets to scrape (default: the agent and dcgm-exporter).
        public var sources: [Source] = [.agent, .dcgmExporter]
        /// Seconds between two lists of a source's pods (default 10).
        public var refreshSeconds: Double = 10

        /// Creates a configuration.
        public init(sources: [Source] = [.agent, .dcgmExporter], refreshSeconds: Double = 10) {
            self.sources = sources
            self.refreshSeconds = refreshSeconds
        }
    }

    private let api: any KubernetesAPI
    private let configuration: Configuration
    private let logger: Logger
    private var cached: [Int: [GPUExporter]] = [:]  // source index → exporters
    private var listedAt: Date?

    /// Creates the finder.
    public init(api: any KubernetesAPI, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "inferscale.gpu-exporters")) {
        self.api = api
        self.configuration = configuration
        self.logger = logger
    }

    /// `http://<pod IP>:<port><path>` of every ready exporter pod, sorted by kind then URL.
    public func exporters() async -> [GPUExporter] {
        if listedAt == nil || Date().timeIntervalSince(listedAt!) >= configuration.refreshSeconds {
            listedAt = Date()
            for (index, source) in configuration.sources.enumerated() {
                do {
                    cached[index] = try await api.listPods(namespace: source.namespace, labelSelector: source.labelSelector).items
                        .filter { $0.isReady && $0.metadata.deletionTimestamp == nil }
                        .compactMap(\.status?.podIP)
                        .map { ip in
                            GPUExporter(kind: source.kind, url: "http://\(ip.contains(":") ? "[\(ip)]" : ip):\(source.port)\(source.path)")
                        }
                } catch {
                    logger.warning("cannot list the GPU exporter pods; scraping the last known ones", metadata: [
                        "inferscale.kind": "\(source.kind.rawValue)", "inferscale.namespace": "\(source.namespace)",
                        "inferscale.selector": "\(source.labelSelector)", "inferscale.error": "\(error)",
                    ])
                }
            }
        }
        return cached.keys.sorted().flatMap { cached[$0] ?? [] }
    }
}
