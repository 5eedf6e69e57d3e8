import Metrics
import Scaling

/// One target's metric handles, made once when the target appears rather than looked up in
/// the metrics registry on every tick (a lookup builds the label set and takes the registry's
/// lock; at 10,000 targets that was most of a tick). Label values by reason or outcome are
/// few, so their handles are made on first use and kept. A gauge is written only when its
/// value changed (a gauge shows its last value; most ticks repeat most of them), and the
/// counter of the last reason or outcome is kept at hand.
struct TargetMetrics {
    let target: String
    private let factory: any MetricsFactory
    private let desired: Gauge
    private let actual: Gauge
    private let ready: Gauge
    private let panic: Gauge
    private let burst: Gauge
    private let scrapeDuration: Timer
    private let skipped: Counter
    private let gpuMemoryMax: Gauge
    private let gpuMemoryMean: Gauge
    private var gpuMemoryShown = false
    /// Whether a valid decision was recorded: from then on a tick without data leaves the last count
    /// (docs/metrics.md: `-1` only until the first decision).
    private var decided = false
    private var inputs: [Signal: InputGauges] = [:]
    /// The values last written to the per-target gauges; nil before the first write.
    private var shownDesired, shownActual, shownReady, shownPanic, shownBurst: Double?
    private var decisions: [String: Counter] = [:]
    private var lastDecision: (reason: String, counter: Counter)?
    private var lastPatch: (outcome: String, counter: Counter)?
    private var patches: [String: Counter] = [:]
    private var failures: [String: Counter] = [:]

    /// `factory` is the process's metrics backend; tests give their own.
    init(target: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.target = target
        self.factory = factory
        let t = [("target", target)]
        desired = Gauge(label: "inferscale_desired_replicas", dimensions: t, factory: factory)
        actual = Gauge(label: "inferscale_actual_replicas", dimensions: t, factory: factory)
        ready = Gauge(label: "inferscale_ready_replicas", dimensions: t, factory: factory)
        panic = Gauge(label: "inferscale_panic_mode", dimensions: t, factory: factory)
        burst = Gauge(label: "inferscale_excess_burst_capacity", dimensions: t, factory: factory)
        scrapeDuration = Timer(label: "inferscale_scrape_duration_seconds", dimensions: t, preferredDisplayUnit: .seconds, factory: factory)
        skipped = Counter(label: "inferscale_scrapes_skipped_total", dimensions: t, factory: factory)
        gpuMemoryMax = Gauge(label: "inferscale_target_gpu_memory_used_ratio", dimensions: t + [("stat", "max")], factory: factory)
        gpuMemoryMean = Gauge(label: "inferscale_target_gpu_memory_used_ratio", dimensions: t + [("stat", "mean")], factory: factory)
    }

    /// A signal's three gauges and the values last written to them.
    private final class InputGauges {
        let stable: Gauge, panic: Gauge, target: Gauge
        var shownStable: Double?, shownPanic: Double?, shownTarget: Double?
        init(stable: Gauge, panic: Gauge, target: Gauge) {
            self.stable = stable
            self.panic = panic
            self.target = target
        }
    }

    mutating func decision(_ r: DecisionRecord, actual replicas: Int) {
        if r.valid || !decided { Self.write(desired, Double(r.desired), &shownDesired) }
        decided = decided || r.valid
        Self.write(actual, Double(replicas), &shownActual)
        Self.write(ready, Double(r.readyPods), &shownReady)
        Self.write(panic, r.inPanic ? 1 : 0, &shownPanic)
        Self.write(burst, Double(r.excessBurstCapacity), &shownBurst)
        if let figures = r.gpuMemory, let max = figures.max, let mean = figures.mean {
            gpuMemoryMax.record(max)
            gpuMemoryMean.record(mean)
            gpuMemoryShown = true
        } else if gpuMemoryShown {
            // The figures stopped (stale, or every reading missing): NaN, so a graph shows a gap, not the last value.
            gpuMemoryMax.record(Double.nan)
            gpuMemoryMean.record(Double.nan)
            gpuMemoryShown = false
        }
        for input in r.inputs {
            let g = inputs[input.signal] ?? makeInputGauges(input.signal)
            if let s = input.stable { Self.write(g.stable, s, &g.shownStable) }
            if let p = input.panic { Self.write(g.panic, p, &g.shownPanic) }
            Self.write(g.target, input.target, &g.shownTarget)
        }
        let reason = !r.valid ? "no-data" : (r.clamps.last?.step ?? (r.inPanic ? "panic" : "stable"))
        if let last = lastDecision, last.reason == reason {
            last.counter.increment()
        } else {
            let counter = Self.counter(&decisions, "inferscale_decisions_total", target, ("reason", reason), factory: factory)
            lastDecision = (reason, counter)
            counter.increment()
        }
    }

    mutating func patch(outcome: String) {
        if let last = lastPatch, last.outcome == outcome {
            last.counter.increment()
            return
        }
        let counter = Self.counter(&patches, "inferscale_scale_patches_total", target, ("outcome", outcome), factory: factory)
        lastPatch = (outcome, counter)
        counter.increment()
    }

    mutating func scrape(seconds: Double, failureReasons: [String]) {
        scrapeDuration.recordSeconds(seconds)
        for reason in failureReasons {
            Self.counter(&failures, "inferscale_scrape_failures_total", target, ("reason", reason), factory: factory).increment()
        }
    }

    func scrapeSkipped() { skipped.increment() }

    /// Removes every series of the target: it left this instance (deleted, or its shard went to another
    /// instance), and a last value left behind would stand beside the series of the instance now deciding it.
    func destroy() {
        for gauge in [desired, actual, ready, panic, burst, gpuMemoryMax, gpuMemoryMean] { gauge.destroy() }
        for gauges in inputs.values { [gauges.stable, gauges.panic, gauges.target].forEach { $0.destroy() } }
        scrapeDuration.destroy()
        skipped.destroy()
        for counter in Array(decisions.values) + Array(patches.values) + Array(failures.values) { counter.destroy() }
    }

    private mutating func makeInputGauges(_ signal: Signal) -> InputGauges {
        let d = [("target", target), ("metric", signal.rawValue)]
        let g = InputGauges(stable: Gauge(label: "inferscale_metric_stable_value", dimensions: d, factory: factory),
                            panic: Gauge(label: "inferscale_metric_panic_value", dimensions: d, factory: factory),
                            target: Gauge(label: "inferscale_metric_target_value", dimensions: d, factory: factory))
        inputs[signal] = g
        return g
    }

    /// Writes `value` unless it is the one last written (NaN, never equal, is always written).
    private static func write(_ gauge: Gauge, _ value: Double, _ shown: inout Double?) {
        guard shown != value else { return }
        gauge.record(value)
        shown = value
    }

    private static func counter(_ cache: inout [String: Counter], _ label: String, _ target: String, _ dimension: (String, String),
                                factory: any MetricsFactory) -> Counter {
        if let c = cache[dimension.1] { return c }
        let c = Counter(label: label, dimensions: [("target", target), dimension], factory: factory)
        cache[dimension.1] = c
        return c
    }
}
