import AutoscalerCore
import Rules
import RuntimeSignals
import Scaling
import Scraping

/// The metric-source port over the HTTP scraper: reads queue-proxy stats and the runtime's
/// metrics of a target's ready pods and turns them into canonical signals.
public struct ScrapingMetricSource: MetricSource {
    private let scraper: Scraper
    private let clock: @Sendable () -> Double
    private let book: PodWorkBook?

    /// `clock` gives monotonic seconds for counter rates; `book`, when given, keeps each pod's work in
    /// flight for the actuator's scale-downs.
    public init(scraper: Scraper, book: PodWorkBook? = nil, clock: @escaping @Sendable () -> Double) {
        self.scraper = scraper
        self.book = book
        self.clock = clock
    }

    public func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        let runtime = source.runtime.flatMap { Runtime(rawValue: $0.rawValue) }
        let port = source.port ?? source.runtime.map(RuntimeCatalog.defaultPort) ?? 8080
        let pods = target.pods.filter(\.ready).map { ScrapeTarget.Pod(name: $0.name, ip: $0.ip) }
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
        return CollectedSignals(sample: sample, podsScraped: reading.podsScraped, podsFailed: reading.failures.count,
                                failureReasons: reading.failures.map(\.reason), firstFailure: reading.failures.first.map { "\($0)" })
    }
}
