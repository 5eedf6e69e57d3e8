import AutoscalerCore
import NIOConcurrencyHelpers
import Rules
import Scaling

/// The real scraping source, checked on every answer: a target whose pods all failed must have no signal
/// (missing, never zero), and since every healthy soak pod reports a load of at least one, a signal read as zero
/// is a failed scrape counted as zero.
final class AuditedSource: MetricSource, Sendable {
    let inner: any MetricSource
    private let problems = NIOLockedValueBox<[String]>([])
    private let counts = NIOLockedValueBox<(collected: Int, failedPods: Int)>((0, 0))

    init(inner: any MetricSource) { self.inner = inner }

    func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        let signals = await inner.collect(target, source: source, at: time)
        counts.withLockedValue { $0.collected += 1; $0.failedPods += signals.podsFailed }
        let running = signals.sample[.running]
        if signals.podsScraped > 0, signals.podsFailed == signals.podsScraped, running != nil {
            problems.withLockedValue { $0.append("\(target.key) at \(time): every pod failed, yet running = \(running!)") }
        }
        if let running, running <= 0 {
            problems.withLockedValue { $0.append("\(target.key) at \(time): running read as \(running) with \(signals.podsFailed) of \(signals.podsScraped) pods failed") }
        }
        return signals
    }

    /// Violations so far, emptied.
    func takeProblems() -> [String] { problems.withLockedValue { p in defer { p = [] }; return p } }
    var collected: Int { counts.withLockedValue { $0.collected } }
    var failedPods: Int { counts.withLockedValue { $0.failedPods } }
}
