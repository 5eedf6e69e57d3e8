/// The figures the fleet benchmark reads from one `inferscale run` process's `/metrics` (Prometheus text): the
/// loop's two histograms (scrape round and decide tick durations), its skip and overrun counters, the target
/// scrapes it made and the targets it exports. Two snapshots taken around a measurement give that span's figures.
struct LoopMetricsSnapshot {
    /// A histogram's cumulative bucket counts by upper bound (seconds; +Inf last), with its sum and count.
    struct Histogram {
        var buckets: [(le: Double, count: Double)] = []
        var sum = 0.0, count = 0.0

        /// What was recorded between `earlier` and this snapshot.
        func since(_ earlier: Histogram) -> Histogram {
            var d = Histogram(sum: sum - earlier.sum, count: count - earlier.count)
            d.buckets = buckets.map { b in (b.le, b.count - (earlier.buckets.first { $0.le == b.le }?.count ?? 0)) }
            return d
        }

        /// The q-quantile as Prometheus's `histogram_quantile` estimates it: linear within the bucket that holds
        /// it, the highest finite bound when it falls in +Inf. Nil without observations.
        func quantile(_ q: Double) -> Double? {
            guard count > 0, !buckets.isEmpty else { return nil }
            let rank = q * count
            var lower = 0.0, below = 0.0
            for b in buckets {
                if b.count >= rank {
                    guard b.le.isFinite else { return lower }
                    return b.count == below ? b.le : lower + (b.le - lower) * (rank - below) / (b.count - below)
                }
                if b.le.isFinite { lower = b.le }
                below = b.count
            }
            return lower
        }

        /// The bucket bounds around the q-quantile: "(1, 2.5]".
        func bucket(of q: Double) -> String {
            let rank = q * count
            var lower = 0.0
            for b in buckets {
                if b.count >= rank { return "(\(trimmed(lower)), \(b.le.isFinite ? trimmed(b.le) : "+Inf")]" }
                if b.le.isFinite { lower = b.le }
            }
            return "n/a"
        }

        var mean: Double? { count > 0 ? sum / count : nil }

        private func trimmed(_ v: Double) -> String { v == v.rounded() ? "\(Int(v))" : "\(v)" }
    }

    var rounds = Histogram(), ticks = Histogram()
    var roundOverruns = 0.0, tickOverruns = 0.0, skipped = 0.0
    /// Pod scrapes that failed, all reasons (`queue-timeout`: no slot free within the deadline), and those of them
    /// that timed out in the queue.
    var podFailures = 0.0, queueTimeouts = 0.0
    /// Target scrapes that ended (each scrapes the target's pods; Knative's sampling takes both of 2).
    var targetScrapes = 0.0
    /// Targets whose desired replicas this process exports (those of its shards), and those decided (≥ 0).
    var targets = 0, decided = 0
    var shardsHeld: Double?

    init() {}

    init(text: String) {
        for line in text.split(separator: "\n") where line.first != "#" {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let name = series.prefix { $0 != "{" && $0 != " " }
            switch name {
            case "inferscale_scrape_round_duration_seconds_bucket": rounds.buckets.append((Self.le(series), value))
            case "inferscale_scrape_round_duration_seconds_sum": rounds.sum = value
            case "inferscale_scrape_round_duration_seconds_count": rounds.count = value
            case "inferscale_tick_duration_seconds_bucket": ticks.buckets.append((Self.le(series), value))
            case "inferscale_tick_duration_seconds_sum": ticks.sum = value
            case "inferscale_tick_duration_seconds_count": ticks.count = value
            case "inferscale_scrape_round_overruns_total": roundOverruns = value
            case "inferscale_tick_overruns_total": tickOverruns = value
            case "inferscale_scrapes_skipped_total": skipped += value
            case "inferscale_scrape_duration_seconds_count": targetScrapes += value
            case "inferscale_scrape_failures_total":
                podFailures += value
                if series.contains("reason=\"queue-timeout\"") { queueTimeouts += value }
            case "inferscale_desired_replicas":
                targets += 1
                if value >= 0 { decided += 1 }
            case "inferscale_shards_held": shardsHeld = value
            default: break
            }
        }
        rounds.buckets.sort { $0.le < $1.le }
        ticks.buckets.sort { $0.le < $1.le }
    }

    /// What happened between `earlier` and this snapshot (targets as of this one).
    func since(_ earlier: LoopMetricsSnapshot) -> LoopMetricsSnapshot {
        var d = self
        d.rounds = rounds.since(earlier.rounds)
        d.ticks = ticks.since(earlier.ticks)
        d.roundOverruns -= earlier.roundOverruns
        d.tickOverruns -= earlier.tickOverruns
        d.skipped -= earlier.skipped
        d.targetScrapes -= earlier.targetScrapes
        d.podFailures -= earlier.podFailures
        d.queueTimeouts -= earlier.queueTimeouts
        return d
    }

    private static func le(_ series: Substring) -> Double {
        guard let start = series.range(of: "le=\"")?.upperBound, let end = series[start...].firstIndex(of: "\"") else { return .nan }
        let text = series[start..<end]
        return text == "+Inf" ? .infinity : Double(text) ?? .nan
    }
}
