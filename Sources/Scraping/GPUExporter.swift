import RuntimeSignals

/// A node-level GPU exporter whose series name the pod holding each GPU: an `inferscale agent` of the GPU
/// agent DaemonSet, or NVIDIA's dcgm-exporter (docs/gpu.md).
public struct GPUExporter: Sendable, Hashable {
    /// Which series the exporter writes.
    public enum Kind: String, Sendable, Hashable {
        /// `inferscale agent`: `inferscale_gpu_*` with `allocation`, `namespace`, `pod`, `container`.
        case agent
        /// dcgm-exporter: `DCGM_FI_DEV_FB_*` (MiB) with `namespace`, `pod`, `container`.
        case dcgmExporter = "dcgm-exporter"
    }

    /// Which series the exporter writes.
    public var kind: Kind
    /// The URL scraped, e.g. `http://10.0.3.7:9401/metrics`.
    public var url: String

    /// Creates an exporter endpoint.
    public init(kind: Kind, url: String) {
        self.kind = kind
        self.url = url
    }
}

/// What one round over the GPU exporters gave: the joined per-pod GPU memory, and the exporters that failed
/// (their nodes' pods then have no reading, never a zero one).
public struct GPUExporterReading: Sendable {
    /// GPU memory per pod from every exporter that answered.
    public var memory: PodGPUMemory
    /// Exporters whose scrape failed, with the reason (timeout, connect, status, too-large, malformed,
    /// too-many-samples).
    public var failures: [ScrapeFailure]

    /// Creates a reading.
    public init(memory: PodGPUMemory, failures: [ScrapeFailure]) {
        self.memory = memory
        self.failures = failures
    }
}
