import Logging
import Metrics
import RuntimeSignals
import Scaling
import Scraping

/// Per-pod GPU memory for a scrape round: the node GPU exporters (agent, dcgm-exporter) are scraped once per
/// round, by the same `Scraper` (so under the same deadline, caps and bound on scrapes in flight as the pods),
/// started by the first target of the round that asks, and shared by every target of that round. A round whose
/// exporters are still being read is awaited, not started again; a newer round starts afresh.
public actor GPUMemoryFeed {
    private let scraper: Scraper
    private let exporters: @Sendable () async -> [GPUExporter]
    private let logger: Logger
    private var round: (time: Timestamp, task: Task<GPUExporterReading, Never>)?
    private var failuresLoggedAt: ContinuousClock.Instant?

    /// `exporters` gives the exporters to read this round (``GPUExporterPods/exporters()`` in a cluster).
    public init(scraper: Scraper, exporters: @escaping @Sendable () async -> [GPUExporter],
                logger: Logger = Logger(label: "inferscale.gpu-memory")) {
        self.scraper = scraper
        self.exporters = exporters
        self.logger = logger
    }

    /// The joined GPU memory of the round at `time`.
    public func reading(at time: Timestamp) async -> GPUExporterReading {
        if let round, round.time == time { return await round.task.value }
        let scraper = self.scraper
        let exporters = self.exporters
        let task = Task { [weak self] in
            let list = await exporters()
            let reading = await scraper.scrapeGPUExporters(list)
            await self?.account(list, reading)
            return reading
        }
        if round.map({ $0.time < time }) ?? true { round = (time, task) }
        return await task.value
    }

    /// Exporter counts and failures, by kind; failures are logged at most once a minute (each names its URL).
    private func account(_ list: [GPUExporter], _ reading: GPUExporterReading) {
        var kinds: [GPUExporter.Kind: Int] = [.agent: 0, .dcgmExporter: 0]
        var byURL: [String: GPUExporter.Kind] = [:]
        for exporter in list {
            kinds[exporter.kind, default: 0] += 1
            byURL[exporter.url] = exporter.kind
        }
        for (kind, count) in kinds { Gauge(label: "inferscale_gpu_exporters", dimensions: [("kind", kind.rawValue)]).record(Double(count)) }
        for failure in reading.failures {
            let kind = byURL[failure.url]?.rawValue ?? "unknown"
            Counter(label: "inferscale_gpu_exporter_scrape_failures_total", dimensions: [("kind", kind), ("reason", failure.reason)]).increment()
        }
        guard let first = reading.failures.first else { return }
        let now = ContinuousClock.now
        if let last = failuresLoggedAt, now - last < .seconds(60) { return }
        failuresLoggedAt = now
        logger.warning("GPU exporters failed; their nodes' pods have no GPU reading (missing, not zero)", metadata: [
            "inferscale.failed": "\(reading.failures.count)", "inferscale.exporters": "\(list.count)", "inferscale.error": "\(first)",
        ])
    }
}
