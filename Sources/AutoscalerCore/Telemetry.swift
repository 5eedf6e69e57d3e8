import Metrics
import Scaling

/// inferscale's own metrics, through swift-metrics (the executable bootstraps a Prometheus
/// registry for /metrics; tests can bootstrap a recording backend). docs/metrics.md lists them.
public struct Telemetry: Sendable {
    /// Whether anything is recorded; replays (`inferscale simulate`) turn it off, since their
    /// decisions are not this process's.
    public var enabled: Bool

    public init(enabled: Bool = true) { self.enabled = enabled }

    func decision(_ r: DecisionRecord, actual: Int) {
        guard enabled else { return }
        let t = [("target", r.target)]
        Gauge(label: "inferscale_desired_replicas", dimensions: t).record(Double(r.desired))
        Gauge(label: "inferscale_actual_replicas", dimensions: t).record(Double(actual))
        Gauge(label: "inferscale_ready_replicas", dimensions: t).record(Double(r.readyPods))
        Gauge(label: "inferscale_panic_mode", dimensions: t).record(r.inPanic ? 1 : 0)
        Gauge(label: "inferscale_excess_burst_capacity", dimensions: t).record(Double(r.excessBurstCapacity))
        for input in r.inputs {
            let d = [("target", r.target), ("metric", input.signal.rawValue)]
            if let s = input.stable { Gauge(label: "inferscale_metric_stable_value", dimensions: d).record(s) }
            if let p = input.panic { Gauge(label: "inferscale_metric_panic_value", dimensions: d).record(p) }
            Gauge(label: "inferscale_metric_target_value", dimensions: d).record(input.target)
        }
        let reason = !r.valid ? "no-data" : (r.clamps.last?.step ?? (r.inPanic ? "panic" : "stable"))
        Counter(label: "inferscale_decisions_total", dimensions: [("target", r.target), ("reason", reason)]).increment()
    }

    func patch(target: String, outcome: String) {
        guard enabled else { return }
        Counter(label: "inferscale_scale_patches_total", dimensions: [("target", target), ("outcome", outcome)]).increment()
    }

    func scrape(target: String, seconds: Double, failureReasons: [String]) {
        guard enabled else { return }
        Timer(label: "inferscale_scrape_duration_seconds", dimensions: [("target", target)], preferredDisplayUnit: .seconds)
            .recordSeconds(seconds)
        for reason in failureReasons {
            Counter(label: "inferscale_scrape_failures_total", dimensions: [("target", target), ("reason", reason)]).increment()
        }
    }

    func discoveryFailed() {
        guard enabled else { return }
        Counter(label: "inferscale_scrape_failures_total", dimensions: [("target", ""), ("reason", "discovery")]).increment()
    }

    func tick(seconds: Double) {
        guard enabled else { return }
        Timer(label: "inferscale_tick_duration_seconds", preferredDisplayUnit: .seconds).recordSeconds(seconds)
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

    func leadership(_ leader: Bool) {
        guard enabled else { return }
        Gauge(label: "inferscale_leader").record(leader ? 1 : 0)
    }
}
