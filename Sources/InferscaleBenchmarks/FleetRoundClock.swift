import AutoscalerCore
import NIOConcurrencyHelpers
import Rules
import Scaling

/// Wraps the fleet's metric source to time what healthy targets wait in each scrape round: from
/// the round's first scrape to the last sample of a target the benchmark made no pod of hostile.
/// The loop's own round duration runs to its slowest target, which with hostile pods is their
/// deadline by design; this is the figure that shows whether the others were held up. Rounds are
/// told apart by the time the loop passes to `collect` (one per round).
final class FleetRoundClock: MetricSource, @unchecked Sendable {
    private struct Round {
        var started: ContinuousClock.Instant
        var lastHealthy: ContinuousClock.Instant?
    }
    private let inner: MetricSource
    private let isHostile: @Sendable (DiscoveredTarget) -> Bool
    private let rounds = NIOLockedValueBox([Int64: Round]())

    init(_ inner: MetricSource, isHostile: @escaping @Sendable (DiscoveredTarget) -> Bool) {
        self.inner = inner
        self.isHostile = isHostile
    }

    func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        let begun = ContinuousClock.now
        rounds.withLockedValue { rounds in
            if let r = rounds[time.nanoseconds], r.started <= begun { return }
            rounds[time.nanoseconds, default: Round(started: begun)].started = begun
        }
        let signals = await inner.collect(target, source: source, at: time)
        if !isHostile(target) {
            let ended = ContinuousClock.now
            rounds.withLockedValue { rounds in
                if let last = rounds[time.nanoseconds]?.lastHealthy, last >= ended { return }
                rounds[time.nanoseconds]?.lastHealthy = ended
            }
        }
        return signals
    }

    /// Forgets the rounds so far (the start of a measurement).
    func reset() { rounds.withLockedValue { $0 = [:] } }

    /// Seconds from each round's start to its last healthy sample, sorted, over the rounds that
    /// began at least `settled` seconds ago (a later one may still have healthy scrapes in flight).
    func healthySeconds(settled: Double = 4) -> [Double] {
        let cutoff = ContinuousClock.now - .milliseconds(Int64(settled * 1000))
        return rounds.withLockedValue { rounds in
            rounds.values.compactMap { r in
                guard r.started <= cutoff, let last = r.lastHealthy else { return nil }
                return (last - r.started).benchSeconds
            }
        }.sorted()
    }
}
