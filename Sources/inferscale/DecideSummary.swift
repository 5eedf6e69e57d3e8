import Scaling

/// The one-screen summary `inferscale decide` prints on stderr: the resolved policy, what
/// the decider did, and a small chart of load and desired pods over time.
struct DecideSummary {
    let policy: KPAPolicy
    let source: String
    let followDesired: Int?

    private var evaluations = 0
    private var invalid = 0
    private var pokes = 0
    private var changes = 0
    private var panicTicks = 0
    private var panicEntries = 0
    private var wasPanicking = false
    private var maxDesired: Int32 = -1
    private var firstDecision: Int?
    private var lastLatest: Int32 = -1
    private var lastTime = 0
    private var zeroSince: Int?
    private var timeline: [(time: Int, load: Double, desired: Int32, panic: Bool)] = []

    init(policy: KPAPolicy, source: String, followDesired: Int?) {
        self.policy = policy
        self.source = source
        self.followDesired = followDesired
    }

    mutating func add(_ e: DecideReplay.Evaluation) {
        evaluations += 1
        if e.event == .poke { pokes += 1 }
        if !e.result.isValid { invalid += 1 }
        if e.result.isValid && firstDecision == nil { firstDecision = e.time }
        if e.latestDesired != lastLatest && lastLatest >= 0 { changes += 1 }
        if e.inPanic { panicTicks += 1 }
        if e.inPanic && !wasPanicking { panicEntries += 1 }
        wasPanicking = e.inPanic
        maxDesired = max(maxDesired, e.latestDesired)
        lastLatest = e.latestDesired
        lastTime = e.time
        let load = policy.decider.metric == .rps ? e.rps : e.concurrency
        timeline.append((e.time, load, e.latestDesired, e.inPanic))
    }

    func render() -> String {
        let d = policy.decider
        var out: [String] = []
        out.append("")
        out.append("inferscale decide — \(source)")
        let metric = d.metric == .rps ? "requests/s" : "concurrency"
        out.append("  policy: \(metric) target \(trim(d.targetValue))/pod (total \(trim(d.totalValue))), stable window \(d.stableWindowSeconds)s, panic window \(policy.panicWindowSeconds)s, panic at \(trim(d.panicThreshold * 100))%")
        out.append("          scale up ×\(trim(d.maxScaleUpRate)), down ÷\(trim(d.maxScaleDownRate)), burst capacity \(trim(d.targetBurstCapacity)), scale-down delay \(d.scaleDownDelaySeconds)s, \(policy.aggregationAlgorithm.rawValue) average\(d.reachable ? "" : ", unreachable")")
        if let followDesired { out.append("  pods follow the decisions: up after \(followDesired)s, down at once") }
        out.append("  evaluations: \(evaluations) (\(pokes) at once on load from zero), invalid: \(invalid), first decision at \(firstDecision.map { "\($0)s" } ?? "never")")
        out.append("  scale changes: \(changes), panic: entered \(panicEntries)×, \(panicTicks) evaluations in panic; max desired \(maxDesired), final \(lastLatest)")
        out.append(contentsOf: chart())
        return out.joined(separator: "\n")
    }

    /// Two rows of bars over time: load (scaled to its maximum) and desired pods; `!` marks panic.
    private func chart() -> [String] {
        guard !timeline.isEmpty else { return [] }
        let width = 64
        let span = max(1, lastTime + 1)
        var load = [Double](repeating: 0, count: width)
        var desired = [Int32](repeating: -1, count: width)
        var panic = [Bool](repeating: false, count: width)
        for point in timeline {
            let column = min(width - 1, point.time * width / span)
            load[column] = max(load[column], point.load)
            desired[column] = max(desired[column], point.desired)
            panic[column] = panic[column] || point.panic
        }
        let levels = Array(" ▁▂▃▄▅▆▇█")
        func bar(_ value: Double, _ top: Double) -> Character {
            guard top > 0, value > 0 else { return levels[0] }
            return levels[max(1, min(8, Int((value / top * 8).rounded(.up))))]
        }
        let topLoad = load.max() ?? 0
        let topDesired = Double(max(1, desired.max() ?? 1))
        let loadRow = String(load.map { bar($0, topLoad) })
        let desiredRow = String(desired.map { bar(Double(max(0, $0)), topDesired) })
        let panicRow = String(panic.map { $0 ? "!" : " " })
        return [
            "  load    |\(loadRow)| max \(trim(topLoad))",
            "  desired |\(desiredRow)| max \(Int(topDesired))",
            "  panic   |\(panicRow)|",
            "           0s\(String(repeating: " ", count: max(0, width - 2 - "\(lastTime)s".count)))\(lastTime)s",
        ]
    }

    private func trim(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}
