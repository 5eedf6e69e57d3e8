import Foundation

/// What one phase of the process-mode fleet run measured, and how it prints: per process its CPU, memory, open
/// files, targets and loop figures; for the phase, reactions, scale writes the load did not call for and whether
/// the interval was sustained; for a sharded phase against the single replica's, each process's CPU share, the
/// targets each holds against a third, and who patched the fleet-wide step.
struct FleetProcessResult {
    struct Memory { var rss: Double, peak: Double, openFiles: Int }
    struct FleetStep {
        var targets: Int, patched: Int, seconds: Double, patchedTwice: Int, patchedByOther: Int, withEvents: Int
        /// The stepped targets' replicas at the end, "replicas: targets, …".
        var finalReplicas: String
    }

    var targets: Int, interval: Double, processes: Int, shards: Int, seconds: Double, warmUp: Double
    /// Seconds from the processes' start until one had decided a target (polled every second until then).
    var firstDecision: Double
    var identities: [String]
    /// Each process's `/metrics` over the measured span.
    var spans: [LoopMetricsSnapshot]
    /// Each process's CPU seconds per second over the span.
    var cpu: [Double]
    var memory: [Memory]
    /// CPU seconds per second of the pod-server children and of this process (the fake API server and the driver).
    var podServerCPU: Double, benchCPU: Double
    var reactions: [Double], steps: Int
    /// Scale writes below 2 replicas, and targets set away from 2, among targets that were never stepped.
    var falseScaleDowns: Int, unaskedChanges: Int
    /// A few of those writes (target → replicas at seconds after the processes started, the Event's message), and
    /// when the measured span began on that clock.
    var unaskedExamples: [String], measuredFrom: Double
    /// Targets of the shards each process held at the end (from the shard Leases and the fixed hash).
    var held: [Int]?
    var fleetStep: FleetStep?

    /// The span's figures over all processes: rounds and ticks of every process together.
    private var merged: LoopMetricsSnapshot {
        spans.dropFirst().reduce(spans.first ?? LoopMetricsSnapshot()) { total, s in
            var t = total
            t.rounds.buckets = zip(t.rounds.buckets, s.rounds.buckets).map { ($0.le, $0.count + $1.count) }
            t.rounds.sum += s.rounds.sum; t.rounds.count += s.rounds.count
            t.ticks.buckets = zip(t.ticks.buckets, s.ticks.buckets).map { ($0.le, $0.count + $1.count) }
            t.ticks.sum += s.ticks.sum; t.ticks.count += s.ticks.count
            t.skipped += s.skipped; t.roundOverruns += s.roundOverruns; t.tickOverruns += s.tickOverruns
            t.targetScrapes += s.targetScrapes; t.targets += s.targets; t.decided += s.decided
            t.podFailures += s.podFailures; t.queueTimeouts += s.queueTimeouts
            return t
        }
    }

    /// Sustained: the round p99 (histogram estimate) within the interval, under 1 % of target scrapes skipped and
    /// under 1 % of pod scrapes failed (a round with more pods than the scraper completes within the deadline
    /// fails the rest with `queue-timeout` without skipping any).
    var sustained: Bool {
        let m = merged
        let scheduled = m.targetScrapes + m.skipped
        return (m.rounds.quantile(0.99) ?? .infinity) <= interval && scheduled > 0 && m.skipped / scheduled < 0.01
            && m.podFailures / (2 * m.targetScrapes) < 0.01
    }

    func print(baseline single: FleetProcessResult?) {
        let mode = shards == 1 ? "1 inferscale run process (--shards 1)" : "\(processes) inferscale run processes (--shards \(shards))"
        Swift.print("fleet: \(targets) targets × 2 pods, \(mode), scrape every \(format1(interval)) s, \(format1(seconds)) s measured after a \(format1(warmUp)) s warm-up (first decision after \(format1(firstDecision)) s, every target decided after \(format1(warmUp)) s)")
        for (k, id) in identities.enumerated() {
            let s = spans[k], m = memory[k]
            var line = "  \(id): CPU \(String(format: "%.2f", cpu[k])) s/s, RSS \(format1(m.rss)) MiB (peak \(format1(m.peak))), \(m.openFiles) open files, \(s.targets) targets exported"
            if let held { line += ", \(held[k]) targets in its shards (\(percent(Double(held[k]) / (Double(targets) / Double(processes)) - 1)) of a \(processes == 3 ? "third" : "1/\(processes)"))" }
            if let single, let base = single.cpu.first { line += "; CPU \(String(format: "%.2f", cpu[k] / base))× the single replica's" }
            Swift.print(line)
            Swift.print("    scrape round p50 \(estimate(s.rounds, 0.5)), p99 \(estimate(s.rounds, 0.99)), mean \(seconds(s.rounds.mean)) (\(Int(s.rounds.count)) rounds)")
            Swift.print("    decide tick p50 \(estimate(s.ticks, 0.5)), p99 \(estimate(s.ticks, 0.99)), mean \(seconds(s.ticks.mean)) (\(Int(s.ticks.count)) ticks)")
            Swift.print("    \(Int(s.targetScrapes)) target scrapes (\(format1(2 * s.targetScrapes / self.seconds)) pod scrapes/s, \(String(format: "%.3f", cpu[k] * self.seconds / (2 * s.targetScrapes) * 1000)) ms of its CPU per pod scrape), skipped \(Int(s.skipped)), pod scrapes failed \(Int(s.podFailures)) (\(percent(s.targetScrapes > 0 ? s.podFailures / (2 * s.targetScrapes) : .nan, signed: false)); queue-timeout \(Int(s.queueTimeouts))), round overruns \(Int(s.roundOverruns)), tick overruns \(Int(s.tickOverruns))")
        }
        let m = merged
        var reaction = "  reaction (step → PATCH): p50 \(ms(reactions, 0.5)), p99 \(ms(reactions, 0.99)) over \(reactions.count) of \(steps) steps"
        if let single, let p = percentile(reactions, 0.99), let b = percentile(single.reactions, 0.99) { reaction += "; p99 \(String(format: "%.2f", p / b))× the single replica's" }
        Swift.print(reaction)
        Swift.print("  false scale-downs \(falseScaleDowns) (untouched targets set away from 2 replicas: \(unaskedChanges), since the processes started; measured from +\(format1(measuredFrom)) s)")
        for example in unaskedExamples { Swift.print("    \(example)") }
        let scheduled = m.targetScrapes + m.skipped
        Swift.print("  interval \(format1(interval)) s sustained: \(sustained ? "yes" : "no") (round p99 \(estimate(m.rounds, 0.99)) against \(format1(interval)) s; \(percent(scheduled > 0 ? m.skipped / scheduled : .nan, signed: false)) of target scrapes skipped, \(percent(m.targetScrapes > 0 ? m.podFailures / (2 * m.targetScrapes) : .nan, signed: false)) of pod scrapes failed)")
        let total = cpu.reduce(0, +)
        Swift.print("  inferscale CPU \(String(format: "%.2f", total)) s/s in all, pod servers \(String(format: "%.2f", podServerCPU)) s/s, benchmark process (fake API server, driver) \(String(format: "%.2f", benchCPU)) s/s; load average \(loadAverage())")
        if let fleetStep {
            Swift.print("  fleet-wide step (\(fleetStep.targets) targets from 20 to 50 running): \(fleetStep.patched) scaled up in \(format1(fleetStep.seconds)) s (replicas: \(fleetStep.finalReplicas)); patched by two processes: \(fleetStep.patchedTwice), by a process not holding the target's shard: \(fleetStep.patchedByOther) (\(fleetStep.withEvents) targets with scale Events)")
        }
    }

    private func estimate(_ h: LoopMetricsSnapshot.Histogram, _ q: Double) -> String {
        guard let v = h.quantile(q) else { return "n/a" }
        return "\(seconds(v)) (bucket \(h.bucket(of: q)) s)"
    }
    private func seconds(_ v: Double?) -> String { v.map { $0 < 1 ? "\(format1($0 * 1000)) ms" : "\(String(format: "%.2f", $0)) s" } ?? "n/a" }
    private func ms(_ values: [Double], _ p: Double) -> String { seconds(percentile(values, p)) }
    private func percent(_ v: Double, signed: Bool = true) -> String { String(format: signed ? "%+.1f %%" : "%.1f %%", v * 100) }
}
