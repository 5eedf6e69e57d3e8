/// What one policy did over the replay.
public struct PolicyResult: Sendable, Equatable, Codable {
    public var policy: String
    public var requests: Int
    public var completed: Int
    /// Requests that waited past the timeout, or could never fit the model's context.
    public var failed: Int
    /// Requests still in flight when the replay ended (counted in neither).
    public var unfinished: Int
    /// Seconds of existing pods (starting, ready or draining) over the trace's span.
    public var replicaSeconds: Double
    public var gpuHours: Double
    /// Mean seconds from arrival to the first token.
    public var ttftMean: Double = 0
    public var ttftP50: Double
    public var ttftP95: Double
    public var ttftP99: Double
    public var queueWaitP99: Double
    /// Mean seconds from arrival to the last token (finished requests).
    public var e2eMean: Double = 0
    /// Output tokens produced over the trace's span, per second of it (all targets).
    public var outputTokensPerSecond: Double = 0
    /// Running requests preempted for lack of KV blocks (recomputed when readmitted).
    public var preemptions: Int = 0
    /// Share of requests (failed ones included) whose first token came later than the objective.
    public var overObjectiveShare: Double
    public var scaleEvents: Int
    /// Reversals (up then down, or down then up) within one stable window.
    public var flaps: Int
    public var coldStarts: Int
    public var secondsAtZero: Double
    /// Ratios to `kpa` in the same run (nil when kpa was not replayed).
    public var replicaSecondsVsKPA: Double?
    public var ttftP99VsKPA: Double?

    /// The share of requests that met the objective.
    public var attainment: Double { 1 - overObjectiveShare }
}

/// One point per second of one policy's replay, for charts.
public struct SeriesPoint: Sendable, Equatable {
    public var time: Double
    public var arrivals: Int
    public var ready: Int
    public var replicas: Int
    public var queued: Int
}

/// The whole comparison.
public struct SimulationReport: Sendable {
    public var results: [PolicyResult]
    /// Per policy (same order), the per-second series (empty unless kept).
    public var series: [[SeriesPoint]]
    public var duration: Double
    public var ttftObjectiveSeconds: Double
    public var profile: String
}

/// Summary statistics used by the report.
enum Statistics {
    /// The nearest-rank percentile (p in 0–100) of unsorted values; 0 when empty.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        percentile(sorted: values.sorted(), p)
    }

    /// The nearest-rank percentile of sorted values.
    static func percentile(sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// Reversals of direction between consecutive scale events closer than `window` seconds.
    static func flaps(_ events: [(time: Double, from: Int, to: Int)], window: Double) -> Int {
        var count = 0
        for i in events.indices.dropFirst() {
            let a = events[i - 1], b = events[i]
            let upThenDown = a.to > a.from && b.to < b.from
            let downThenUp = a.to < a.from && b.to > b.from
            if (upThenDown || downThenUp) && b.time - a.time <= window { count += 1 }
        }
        return count
    }
}
