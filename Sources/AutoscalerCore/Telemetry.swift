import Metrics
import Scaling

/// inferscale's own metrics, through swift-metrics (the executable bootstraps a Prometheus
/// registry for /metrics; tests can bootstrap a recording backend). docs/metrics.md lists them.
public struct Telemetry: Sendable {
    /// Whether anything is recorded; replays (`inferscale simulate`) turn it off, since their
    /// decisions are not this process's.
    public var enabled: Bool

    public init(enabled: Bool = true) { self.enabled = enabled }

    /// A target's metric handles, or nil when nothing is recorded.
    func handles(for target: String) -> TargetMetrics? { enabled ? TargetMetrics(target: target) : nil }

    func discoveryFailed() {
        guard enabled else { return }
        Counter(label: "inferscale_scrape_failures_total", dimensions: [("target", ""), ("reason", "discovery")]).increment()
    }

    func tick(seconds: Double) {
        guard enabled else { return }
        Timer(label: "inferscale_tick_duration_seconds", preferredDisplayUnit: .seconds).recordSeconds(seconds)
    }

    func scrapeRound(seconds: Double) {
        guard enabled else { return }
        Timer(label: "inferscale_scrape_round_duration_seconds", preferredDisplayUnit: .seconds).recordSeconds(seconds)
    }

    /// Seconds from a round's start until its last target whose pods all answered was recorded.
    func scrapeRoundAnswered(seconds: Double) {
        guard enabled else { return }
        Timer(label: "inferscale_scrape_round_answered_seconds", preferredDisplayUnit: .seconds).recordSeconds(seconds)
    }

    /// A scrape round was due while an earlier one still had scrapes in flight.
    func scrapeRoundOverrun() {
        guard enabled else { return }
        Counter(label: "inferscale_scrape_round_overruns_total").increment()
    }

    /// Ticks that did not start on time because the loop's previous pass ran past them.
    func tickOverruns(_ missed: Int) {
        guard enabled, missed > 0 else { return }
        Counter(label: "inferscale_tick_overruns_total").increment(by: missed)
    }

    func ruleReload(outcome: String) {
        guard enabled else { return }
        Counter(label: "inferscale_rule_reloads_total", dimensions: [("outcome", outcome)]).increment()
    }

    func control(target: String, _ control: TargetControl) {
        guard enabled else { return }
        for state in ["owned", "paused", "skipped"] {
            Gauge(label: "inferscale_target_control", dimensions: [("target", target), ("state", state)])
                .record(control.state == state ? 1 : 0)
        }
    }

    /// Removes a target's control series (see `TargetMetrics.destroy()`).
    func forget(target: String) {
        guard enabled else { return }
        for state in ["owned", "paused", "skipped"] {
            Gauge(label: "inferscale_target_control", dimensions: [("target", target), ("state", state)]).destroy()
        }
    }

    func leadership(_ leader: Bool) {
        guard enabled else { return }
        Gauge(label: "inferscale_leader").record(leader ? 1 : 0)
    }
}
