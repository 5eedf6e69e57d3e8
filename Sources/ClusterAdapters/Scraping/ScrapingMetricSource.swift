import AutoscalerCore
import Rules
import RuntimeSignals
import Scaling
import Scraping

/// The metric-source port over the HTTP scraper: reads queue-proxy stats and the runtime's
/// metrics of a target's ready pods and turns them into canonical signals. With a GPU memory feed,
/// `gpu-memory-utilization` is the highest GPU's used share among the target's ready pods as the node
/// exporters report it (the runtime's own figure only where no exporter names the pods).
public struct ScrapingMetricSource: MetricSource {
    private let scraper: Scraper
    private let clock: @Sendable () -> Double
    private let book: PodWorkBook?
    private let gpu: GPUMemoryFeed?

    /// `clock` gives monotonic seconds for counter rates; `book`, when given, keeps each pod's work in
    /// flight for the actuator's scale-downs; `gpu`, when given, joins the node exporters' GPU memory to the pods.
    public init(scraper: Scraper, book: PodWorkBook? = nil, gpu: GPUMemoryFeed? = nil, clock: @escaping @Sendable () -> Double) {
        self.scraper = scraper
        self.book = book
        self.gpu = gpu
        self.clock = clock
    }

    public func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        let runtime = source.runtime.flatMap { Runtime(rawValue: $0.rawValue) }
        let port = source.port ?? source.runtime.map(RuntimeCatalog.defaultPort) ?? 8080
        let pods = target.pods.filter(\.ready).map { ScrapeTarget.Pod(name: $0.name, ip: $0.ip) }
        // The exporters are read alongside the pods, in the same round.
        async let exporters = gpu?.reading(at: time)
        let reading = await scraper.scrape(
            ScrapeTarget(key: target.key, pods: pods, runtime: runtime, port: port, path: source.path ?? "/metrics",
                         queueProxy: source.queueProxy ?? true),
            at: clock())
        await book?.record(target.key, reading.inFlightByPod)
        var sample = SignalSample()
        sample[.concurrency] = reading.concurrency
        sample[.rps] = reading.rps
        sample[.queueDepth] = reading.queueDepth
        sample[.running] = reading.running
        sample[.promptTokensPerSecond] = reading.promptTokensPerSecond
        sample[.generationTokensPerSecond] = reading.generationTokensPerSecond
        sample[.kvCacheUtilization] = reading.kvCacheUtilization
        sample[.gpuMemoryUtilization] = reading.gpuMemoryUtilization
        sample.kvCacheCapacityTokens = reading.kvCacheCapacityTokens
        var figures: GPUMemoryFigures?
        if let joined = await exporters {
            figures = Self.figures(joined.memory, namespace: target.description.namespace, pods: pods.map(\.name))
            // The exporters name these pods: they are the signal's source, and a GPU without a reading
            // leaves it missing rather than falling back to another figure.
            if let figures { sample[.gpuMemoryUtilization] = figures.max }
        }
        return CollectedSignals(sample: sample, podsScraped: reading.podsScraped, podsFailed: reading.failures.count,
                                failureReasons: reading.failures.map(\.reason), firstFailure: reading.failures.first.map { "\($0)" },
                                gpuMemory: figures)
    }

    /// The target's own pods' GPU memory; nil when no exporter names any of them (then the signal is the
    /// runtime's figure, or missing — never zero). A named pod whose GPU has no reading is listed as missing.
    static func figures(_ memory: PodGPUMemory, namespace: String, pods: [String]) -> GPUMemoryFigures? {
        var read: [GPUMemoryFigures.Pod] = []
        var missing: [String] = []
        var named = false
        for name in Set(pods) {
            let key = PodGPUMemory.Pod(namespace: namespace, name: name)
            if memory.devices[key] != nil { named = true }
            if let r = memory.reading(of: key) {
                read.append(GPUMemoryFigures.Pod(name: name, max: r.max, mean: r.mean, devices: r.devices))
            } else {
                missing.append(name)
            }
        }
        return named ? GPUMemoryFigures(pods: read, missing: missing) : nil
    }
}
