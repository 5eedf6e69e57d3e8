/// A lower bound on the replica-seconds of any scaler (`--policy bound`): no schedule of scale
/// calls, however clairvoyant, serves the trace in the simulator's model for fewer replica-
/// seconds while keeping at least `minReplicas` pods and letting at most a share 1 − Q of the
/// requests get their first token later than the objective. Nothing is replayed: it is
/// arithmetic on the trace, each step proved in docs/simulation.md ("The lower bound"), from
/// these facts of the model:
///
/// - a pod counts from creation until gone; at least `minReplicas` exist at every instant;
/// - a replica added after the start serves only after a cold start: no draw is shorter than
///   `SeededRandom.leastLogNormal`, and in a replay with a given seed the k-th replica added to
///   a target takes that target's k-th draw (`leastDrawnColdStart`);
/// - one replica runs one engine step at a time; a step holds at most `maxNumBatchedTokens`
///   prompt tokens and lasts at least `perToken` seconds per prompt token it computes;
/// - a request's prompt tokens are computed in steps that start after it arrives and, for its
///   first token to be in time, end by its arrival + objective − its request overhead; the
///   prefix cache spares at most its shared segments' full blocks, never the last token.
///
/// So over any window of the span, the requests that arrive in it and are due in it need their
/// prompt work done in it (`BoundWindows` picks the windows), and every replica that helps was
/// there a cold start before it served. Decode work is left out: only the first token has a
/// deadline, and decode past the span's end costs no counted replica-second.
public enum ClairvoyantBound {
    /// How the windows are searched; any choice gives a bound, these make it tighter.
    public struct Configuration: Sendable, Equatable {
        /// Pods every scaler keeps at every instant (default 1: KServe's `minReplicas`, which
        /// `kpa`, `hpa`, the oracle and `fixed-N` for N ≥ 1 keep; a rule that scales to zero is
        /// bounded by 0).
        public var minReplicas = 1
        /// Spacing of the windows' edges, seconds (nil: a quarter of the objective).
        public var gridSeconds: Double?
        /// Longest window tried, seconds (default 600).
        public var maxWindowSeconds = 600.0
        /// Each window length tried is this factor longer than the last (default 1.05), from the objective up.
        public var windowGrowth = 1.05
        /// Leads tried before a window, as shares of the least cold start (default 0, ½ and 1).
        public var leadShares: [Double] = [0, 0.5, 1]

        public init() {}
    }

    /// What the bound came to.
    public struct Result: Sendable, Equatable, Codable {
        /// The bound, replica-seconds over the span (every target together).
        public var replicaSeconds: Double
        /// The same in GPU-hours.
        public var gpuHours: Double
        /// The share of requests (0–1) it assumes meet the objective.
        public var objectiveQuantile: Double
        /// Pods kept at every instant, per target.
        public var minReplicas: Int
        /// `minReplicas` × span × targets: the floor alone, replica-seconds.
        public var floorReplicaSeconds: Double
        /// Requests that may miss the objective: ⌊(1 − Q) × requests⌋.
        public var allowedLate: Int
        /// Requests no schedule serves in time (rejected by the engine, or whose prompt alone takes
        /// longer than the objective); they use up part of `allowedLate`.
        public var forcedLate: Int
        /// Whether any schedule can meet the quantile at all (`forcedLate ≤ allowedLate`).
        public var feasible: Bool
        /// The shortest cold start a replica that serves can have drawn, seconds: the least of
        /// each target's first `coldStartDraws` draws, or (0 draws) the least any draw can be.
        public var leastColdStartSeconds: Double
        /// How many of each target's cold-start draws `leastColdStartSeconds` looked at (0: none).
        public var coldStartDraws: Int
        /// Windows whose prompt work raises the bound above the floor before the late requests
        /// are given up (after, they may add nothing).
        public var windows: Int
    }

    /// The bound for `targets` (each target's requests, sorted by arrival) on `profile`, over a
    /// span of `duration` seconds (replica-seconds are counted over it, as `PolicyResult`
    /// counts them), for an objective of `objectiveSeconds` met by a share `quantile` (0–1).
    /// With the replay's `seed`, cold starts are taken from its own draws (`leastDrawnColdStart`);
    /// without, from the least any draw can be.
    public static func compute(targets: [[TraceRequest]], profile: ModelProfile, objectiveSeconds: Double, quantile: Double,
                               coldStartSeconds: Double, duration: Double, seed: UInt64? = nil,
                               configuration: Configuration = .init()) -> Result {
        let span = max(0, duration)
        let requests = targets.reduce(0) { $0 + $1.count }
        // As `TuneReport.meets` judges a share: at most (1 − Q) of the requests late.
        let allowed = max(0, Int(((1 - quantile + 1e-12) * Double(requests)).rounded(.down)))
        var forced = 0
        let demands = targets.map { requests in
            requests.compactMap { r -> Demand? in
                guard let d = demand(r, profile: profile, objective: objectiveSeconds) else {
                    forced += 1
                    return nil
                }
                return d.work > 0 && d.deadline <= span ? d : nil
            }.sorted { $0.arrival < $1.arrival }
        }
        let drops = max(0, allowed - forced)
        let floor = Double(configuration.minReplicas * targets.count) * span
        let grid = configuration.gridSeconds ?? max(objectiveSeconds / 4, 1e-3)
        func evaluate(leadLimit: Double) -> (replicaSeconds: Double, windows: Int) {
            let (excess, windows) = excessOverFloor(demands, drops: drops, span: span, grid: grid, objectiveSeconds: objectiveSeconds,
                                                    leadLimit: leadLimit, configuration: configuration)
            return (floor + excess, windows)
        }

        let anyDraw = SeededRandom.leastLogNormal(mean: coldStartSeconds, cv: profile.coldStartCV)
        var (bound, windows) = evaluate(leadLimit: anyDraw)
        var (leastColdStart, draws) = (anyDraw, 0)
        // The replay's own draws (docs/simulation.md, "The lower bound", fact 2): for any K, a
        // scaler either creates more than K replicas in some target, which costs more than K, or
        // every replica it serves with drew one of its target's first K cold starts; so
        // min(K + 1, the bound with those) is a bound. K starts at the bound so far and grows
        // while the cap binds.
        // Every draw at least 1 s: a replica created before one that serves then lives a whole tick in the span.
        if let seed, case .llm = profile.kind, profile.coldStartCV > 0, anyDraw >= 1 {
            var k = Int(bound.rounded(.up))
            for _ in 0..<3 {
                guard k <= 5_000_000,
                      let drawn = leastDrawnColdStart(seed: seed, targets: targets.count, draws: k, mean: coldStartSeconds, cv: profile.coldStartCV),
                      drawn > anyDraw else { break }
                let next = evaluate(leadLimit: drawn)
                let capped = min(Double(k + 1), next.replicaSeconds)
                if capped > bound { (bound, windows, leastColdStart, draws) = (capped, next.windows, drawn, k) }
                let wider = Int(next.replicaSeconds.rounded(.up))
                guard wider > k else { break }
                k = wider
            }
        }
        return Result(replicaSeconds: bound, gpuHours: bound * Double(profile.gpusPerReplica) / 3600, objectiveQuantile: quantile,
                      minReplicas: configuration.minReplicas, floorReplicaSeconds: floor, allowedLate: allowed, forcedLate: forced,
                      feasible: forced <= allowed, leastColdStartSeconds: leastColdStart, coldStartDraws: draws, windows: windows)
    }

    /// What the windows add over the floor, after the late requests a scaler may pick, and how
    /// many windows add something before them.
    private static func excessOverFloor(_ demands: [[Demand]], drops: Int, span: Double, grid: Double, objectiveSeconds: Double,
                                        leadLimit: Double, configuration: Configuration) -> (excess: Double, windows: Int) {
        // The windows are chosen without the `drops` largest prompts (what a scaler would give up
        // first); the bound below holds for any windows, so this only makes it tighter.
        let largest = Set(demands.enumerated().flatMap { t, ds in ds.indices.map { (t, $0, ds[$0].work) } }
            .sorted { $0.2 > $1.2 }.prefix(drops).map { Pair(target: $0.0, index: $0.1) })
        var excess = 0.0
        var gains: [Double] = []
        var windows = 0
        for (t, ds) in demands.enumerated() {
            let kept = ds.indices.filter { !largest.contains(Pair(target: t, index: $0)) }.map { ds[$0] }
            let chosen = BoundWindows.choose(kept, span: span, grid: grid, minReplicas: configuration.minReplicas,
                                             shortest: objectiveSeconds, leadLimit: leadLimit, configuration: configuration)
            for w in chosen {
                let e = w.excess(ds, minReplicas: configuration.minReplicas)
                guard e.excess > 0 else { continue }
                windows += 1
                excess += e.excess
                gains += e.gains
            }
        }
        // The late requests a scaler picks take the most off: each window gives up at most its
        // excess, and its gains fall as it gives more, so the largest gains over all windows are
        // the best any choice of `drops` requests can do.
        let reduction = gains.sorted(by: >).prefix(drops).reduce(0, +)
        return (max(0, excess - reduction), windows)
    }

    private struct Pair: Hashable {
        var target: Int
        var index: Int
    }
}
