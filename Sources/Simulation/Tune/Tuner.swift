/// Replays every variant of every family, several at once, and finds each family's
/// frontier and cheapest variant that meets the objective. Each replay is an independent
/// simulation with its own control loop and clock, so they run in parallel in a task group;
/// results are kept in variant order, so the report does not depend on which finished first.
public enum Tuner {
    /// `progress` gets (replays done, replays in all) after each replay.
    public static func run(_ c: TuneConfiguration,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(TuneError) -> TuneReport {
        guard (0.5..<1).contains(c.objectiveQuantile) else {
            throw TuneError("the objective quantile must be at least 0.5 and below 1, got \(c.objectiveQuantile)")
        }
        let context = TuneContext(profile: c.base.profile, baselineTarget: c.base.baselineConcurrencyTarget,
                                  coldStartSeconds: c.base.coldStartSeconds, ttftObjectiveSeconds: c.base.ttftObjectiveSeconds)
        var variants: [TuneVariant] = []
        var seen: Set<String> = []
        for family in c.families {
            for v in try family.variants(in: context) {
                guard seen.insert(v.name).inserted else { throw TuneError("variant \(v.name) appears twice; name each family once") }
                variants.append(v)
            }
        }
        var runs = variants.map { v in
            var run = c.base
            run.policies = [v.policy]
            run.keepSeries = false
            v.adjust?(&run)
            return run
        }
        if let reference = c.reference {
            var run = c.base
            run.policies = [reference]
            run.keepSeries = false
            runs.append(run)
        }
        let results = await replay(runs, parallelism: max(1, c.parallelism), progress: progress)
        let ref = c.reference == nil ? nil : results.last
        var boundRun = c.base
        boundRun.objectiveQuantile = c.objectiveQuantile
        let bound = c.bound ? Simulator.bound(boundRun) : nil

        var families: [TuneReport.Family] = []
        var offset = 0
        for family in c.families {
            let count = variants[offset...].prefix { $0.family == family.name }.count
            let entries = (offset..<offset + count).map { i in
                var result = results[i]
                result.policy = variants[i].name
                let ratio = ref.flatMap { $0.replicaSeconds > 0 ? result.replicaSeconds / $0.replicaSeconds : nil }
                var entry = TuneReport.Entry(variant: variants[i], result: result, replicaSecondsVsReference: ratio)
                if let bound, bound.replicaSeconds > 0 { entry.replicaSecondsVsBound = result.replicaSeconds / bound.replicaSeconds }
                return entry
            }
            offset += count
            families.append(summarise(family.name, entries, quantile: c.objectiveQuantile))
        }
        return TuneReport(families: families, reference: ref, bound: bound, duration: c.base.trace.duration, profile: c.base.profile.name,
                          ttftObjectiveSeconds: c.base.ttftObjectiveSeconds ?? c.base.profile.ttftObjectiveSeconds,
                          objectiveQuantile: c.objectiveQuantile)
    }

    /// The frontier, the cheapest variant meeting the objective and the lowest share of one family.
    static func summarise(_ name: String, _ entries: [TuneReport.Entry], quantile: Double) -> TuneReport.Family {
        let cost = entries.map(\.result.replicaSeconds)
        let share = entries.map(\.result.overObjectiveShare)
        let frontier = ParetoFrontier.indices(cost: cost, share: share)
        // The frontier is sorted by cost with falling shares: the first point that meets the
        // objective is the cheapest of all that do (a cheaper one would be on the frontier).
        let cheapest = frontier.first { TuneReport.meets(share[$0], quantile: quantile) }
        return TuneReport.Family(name: name, entries: entries, frontier: frontier, cheapestMeetingObjective: cheapest,
                                 lowestShare: frontier.last)
    }

    /// Replays each run (one policy each), `parallelism` at a time; results in the runs' order.
    static func replay(_ runs: [SimulationConfiguration], parallelism: Int,
                       progress: (@Sendable (Int, Int) -> Void)?) async -> [PolicyResult] {
        await withTaskGroup(of: (Int, PolicyResult).self) { group in
            var results = [PolicyResult?](repeating: nil, count: runs.count)
            var next = 0
            func start(_ group: inout TaskGroup<(Int, PolicyResult)>) {
                let i = next, run = runs[i]
                next += 1
                group.addTask { (i, await Simulator.run(run).results[0]) }
            }
            while next < min(parallelism, runs.count) { start(&group) }
            var done = 0
            while let (i, result) = await group.next() {
                results[i] = result
                done += 1
                progress?(done, runs.count)
                if next < runs.count { start(&group) }
            }
            return results.map { $0! }
        }
    }
}
