import Scaling

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
    /// Replica-seconds as a ratio to `oracle`'s in the same run (nil when the oracle was not replayed).
    public var replicaSecondsVsOracle: Double?
    /// Replica-seconds as a ratio to the lower bound's in the same run (nil when `bound` was not
    /// asked for): at least 1 for a policy whose share over the objective is at most 1 − Q.
    public var replicaSecondsVsBound: Double?

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
    /// Per policy (same order), the control loop's decision records, kept with the series
    /// (empty for policies decided outside the loop: `hpa`, `fixed-N`, `oracle`).
    public var decisions: [[DecisionRecord]] = []
    public var duration: Double
    public var ttftObjectiveSeconds: Double
    public var profile: String
    /// The lower bound, when `bound` was among the policies (it has no replay, so no result).
    public var bound: ClairvoyantBound.Result?
}

/// Summary statistics used by the report.
enum Statistics {
    /// The nearest-rank percentile (p in 0–100) of unsorted values; 0 when empty.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        var copy = values
        return percentiles(&copy, [p])[0]
    }

    /// The nearest-rank percentiles (each p in 0–100, ascending) of `values`, which are
    /// reordered; 0 when empty. Each is found by selection, not a full sort: sorting the
    /// millions of latencies of a long replay took a seventh of its time.
    static func percentiles(_ values: inout [Double], _ ps: [Double]) -> [Double] {
        guard !values.isEmpty else { return ps.map { _ in 0 } }
        var from = 0
        return ps.map { p in
            let rank = Int((p / 100 * Double(values.count)).rounded(.up))
            let k = min(values.count - 1, max(from, rank - 1))
            select(&values, k, from: from)
            from = k
            return values[k]
        }
    }

    /// Reorders `a[from...]` so that `a[k]` is the value a sort would put there, nothing smaller
    /// after it and nothing larger before it (Hoare's selection, median-of-three pivots).
    /// Everything before `from` must be no larger than anything from it on.
    private static func select(_ a: inout [Double], _ k: Int, from: Int) {
        a.withUnsafeMutableBufferPointer { b in
            var lo = from, hi = b.count - 1
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                if b[mid] < b[lo] { b.swapAt(mid, lo) }
                if b[hi] < b[lo] { b.swapAt(hi, lo) }
                if b[hi] < b[mid] { b.swapAt(hi, mid) }
                let pivot = b[mid]
                var i = lo, j = hi
                while i <= j {
                    while b[i] < pivot { i += 1 }
                    while b[j] > pivot { j -= 1 }
                    if i <= j {
                        b.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j {
                    hi = j
                } else if k >= i {
                    lo = i
                } else {
                    return
                }
            }
        }
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
