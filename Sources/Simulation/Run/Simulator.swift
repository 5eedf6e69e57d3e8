import AutoscalerCore
import Logging
import Rules
import Scaling

/// Replays a trace through each policy: the cluster model moves on the simulated clock, and
/// every second the same control loop that runs in the cluster scrapes it, every two seconds
/// decides, and its scale calls start or stop replicas. `kpa` and the rules run through
/// `ControlLoop` itself; only the HPA baseline is decided here.
public enum Simulator {
    /// Where simulated time starts (a fixed epoch keeps runs identical).
    static let origin = Timestamp(seconds: 1_700_000_000)

    /// Replays every policy of `configuration`; `progress` gets the share done (0–1).
    public static func run(_ configuration: SimulationConfiguration,
                           progress: (@Sendable (Double) -> Void)? = nil) async -> SimulationReport {
        var results: [PolicyResult] = []
        var series: [[SeriesPoint]] = []
        var decisions: [[DecisionRecord]] = []
        let replayed = configuration.policies.filter { $0 != .bound }
        let count = Double(replayed.count)
        for (i, policy) in replayed.enumerated() {
            let (result, points, records) = await replay(policy, configuration) { share in progress?((Double(i) + share) / count) }
            results.append(result)
            series.append(points)
            decisions.append(records)
        }
        let bound = configuration.policies.contains(.bound) ? self.bound(configuration) : nil
        if let bound, bound.replicaSeconds > 0 {
            for i in results.indices { results[i].replicaSecondsVsBound = results[i].replicaSeconds / bound.replicaSeconds }
        }
        if let kpa = results.first(where: { $0.policy == "kpa" }) {
            for i in results.indices {
                results[i].replicaSecondsVsKPA = kpa.replicaSeconds > 0 ? results[i].replicaSeconds / kpa.replicaSeconds : nil
                results[i].ttftP99VsKPA = kpa.ttftP99 > 0 ? results[i].ttftP99 / kpa.ttftP99 : nil
            }
        }
        if let oracle = results.first(where: { $0.policy == PolicyChoice.oracle.name }), oracle.replicaSeconds > 0 {
            for i in results.indices { results[i].replicaSecondsVsOracle = results[i].replicaSeconds / oracle.replicaSeconds }
        }
        progress?(1)
        return SimulationReport(results: results, series: series, decisions: decisions, duration: configuration.trace.duration,
                                ttftObjectiveSeconds: configuration.ttftObjectiveSeconds ?? configuration.profile.ttftObjectiveSeconds,
                                profile: configuration.profile.name, bound: bound)
    }

    /// The lower bound for `c`'s trace, spread over its targets as a replay spreads it.
    public static func bound(_ c: SimulationConfiguration) -> ClairvoyantBound.Result {
        let n = max(1, c.targets)
        var perTarget = [[TraceRequest]](repeating: [], count: n)
        for (k, r) in c.trace.requests.enumerated() { perTarget[k % n].append(r) }
        return ClairvoyantBound.compute(targets: perTarget, profile: c.profile,
                                        objectiveSeconds: c.ttftObjectiveSeconds ?? c.profile.ttftObjectiveSeconds,
                                        quantile: c.objectiveQuantile, coldStartSeconds: c.coldStartSeconds ?? c.profile.coldStartSeconds,
                                        duration: c.trace.duration, seed: c.seed, configuration: c.bound)
    }

    /// The description of simulated target `index` that `policy` would own.
    static func description(for policy: PolicyChoice, index: Int, of count: Int, baselineTarget: Double) -> TargetDescription {
        let suffix = count > 1 ? "-\(index)" : ""
        switch policy {
        case .kpa, .hpa, .fixed, .oracle, .bound:
            return TargetDescription(namespace: "simulation", deployment: "model\(suffix)",
                                     annotations: [RevisionAnnotations.prefix + "target": "\(baselineTarget)"], minReplicas: 1)
        case .rule(let rule):
            let m = rule.match
            return TargetDescription(namespace: m.namespace ?? "simulation", deployment: (m.deployment ?? rule.name) + suffix,
                                     inferenceService: m.inferenceService, labels: m.labels)
        }
    }

    /// The ready replicas every replayed policy but `fixed-N` starts with: the clairvoyant
    /// oracle's count at the first second (what the arrivals of its first cold-start lead need to
    /// meet the objective; `OracleSchedule`). The same start for all, so that no policy's figures
    /// carry a queue it was handed: a live service enters any window with the replicas its load
    /// had, and a count that carries the first minute at full utilisation (the previous start)
    /// left the reactive policies a cold start behind a burst the oracle started ready for.
    static func startingReplicas(_ requests: [TraceRequest], profile: ModelProfile, objectiveSeconds: Double,
                                 coldStartSeconds: Double, duration: Double) -> Int {
        // The count at 0 reads the needs of [0, lead], each over the objective's span after it:
        // the arrivals after that change nothing there.
        let lead = (coldStartSeconds * (1 + 2 * profile.coldStartCV)).rounded(.up)
        let horizon = min(duration, lead + objectiveSeconds.rounded(.up) + 1)
        let first = requests.prefix { $0.time < horizon }
        return OracleSchedule.counts(Array(first), profile: profile, objectiveSeconds: objectiveSeconds,
                                     coldStartSeconds: coldStartSeconds, duration: horizon).first ?? 1
    }

    private static func replay(_ policy: PolicyChoice, _ c: SimulationConfiguration,
                               progress: (Double) -> Void) async -> (PolicyResult, [SeriesPoint], [DecisionRecord]) {
        let profile = c.profile
        let baselineTarget = c.baselineConcurrencyTarget ?? profile.concurrencyTarget
        let objective = c.ttftObjectiveSeconds ?? profile.ttftObjectiveSeconds
        let n = max(1, c.targets)
        var minimum = 1
        var stableWindow = 60.0
        var ruleSet = RuleSet.empty
        if case .rule(let rule) = policy {
            minimum = max(1, rule.policy.minReplicas ?? 0)
            stableWindow = Double(rule.policy.windowSeconds ?? 60)
            // One rule cannot overlap itself, so this set is always valid; falling back to no
            // rule would replay Knative's defaults under the rule's name.
            do { ruleSet = try RuleSet([rule]) } catch { preconditionFailure("a single rule failed to form a rule set: \(error)") }
        }
        var fixed: Int?
        if case .fixed(let replicas) = policy { fixed = replicas }
        let coldStart = c.coldStartSeconds ?? profile.coldStartSeconds
        let descriptions = (0..<n).map { description(for: policy, index: $0, of: n, baselineTarget: baselineTarget) }
        var perTarget = [[TraceRequest]](repeating: [], count: n)
        for i in perTarget.indices { perTarget[i].reserveCapacity(c.trace.requests.count / n + 1) }
        for (k, r) in c.trace.requests.enumerated() { perTarget[k % n].append(r) }
        let oracle = policy == .oracle ? perTarget.map {
            OracleSchedule.counts($0, profile: profile, objectiveSeconds: objective, coldStartSeconds: coldStart, duration: c.trace.duration)
        } : nil
        var clusters = (0..<n).map { i in
            let requests = perTarget[i]
            return ClusterModel(profile: profile, coldStartSeconds: coldStart,
                                requestTimeout: c.requestTimeoutSeconds, seed: c.seed &+ UInt64(i), requests: requests,
                                initialReplicas: fixed ?? max(minimum, oracle?[i].first ?? startingReplicas(
                                    requests, profile: profile, objectiveSeconds: objective, coldStartSeconds: coldStart, duration: c.trace.duration)))
        }

        let board = SimulatedCluster()
        var logger = Logger(label: "inferscale.simulate")
        logger.logLevel = .critical
        let loop: ControlLoop? = policy == .hpa || fixed != nil || oracle != nil ? nil : ControlLoop(
            configuration: .init(), rules: ruleSet, discovery: board, source: board, actuator: board,
            log: try! DecisionLog(path: nil, keepPerTarget: 1), telemetry: Telemetry(enabled: false), logger: logger)
        var hpa = (0..<n).map { _ in
            var h = HPAController(target: baselineTarget)
            h.stabilisationSeconds = c.hpaStabilisationSeconds
            return h
        }

        var points: [SeriesPoint] = []
        var records: [DecisionRecord] = []
        let end = c.trace.duration
        var snapshot: SpanTotals?
        var second = 0
        // After the last arrival, run on until every request has finished or timed out.
        while true {
            let t = Double(second)
            if t >= end && snapshot == nil {
                for i in clusters.indices { clusters[i].advance(to: end) }
                snapshot = SpanTotals(podSeconds: clusters.reduce(0) { $0 + $1.podSeconds }, zeroSeconds: clusters.reduce(0) { $0 + $1.zeroSeconds },
                                      coldStarts: clusters.reduce(0) { $0 + $1.coldStarts }, events: clusters.map(\.scaleEvents),
                                      generatedTokens: clusters.reduce(0) { $0 + $1.generatedTokens })
            }
            if t >= end && (clusters.allSatisfy { $0.unfinished == 0 } || t > end + c.requestTimeoutSeconds) { break }
            let now = origin.adding(seconds: t)
            var samples: [String: SignalSample] = [:]
            for i in clusters.indices {
                clusters[i].advance(to: t)
                clusters[i].expireGateway()
                samples[descriptions[i].key] = clusters[i].collect()
            }
            if let loop {
                board.publish(targets: clusters.indices.map { i in
                    DiscoveredTarget(description: descriptions[i], pods: clusters[i].pods(at: origin).enumerated().map { j, p in
                        PodInfo(name: "pod-\(j)", ip: "", ready: p.ready, readySince: p.readySince, createdAt: p.createdAt)
                    }, replicas: clusters[i].desired)
                }, samples: samples)
                await loop.scrape(at: now)
                for i in clusters.indices {
                    // The gateway reports what it holds, as the activator does, through the push port.
                    if let g = clusters[i].gatewayReport() {
                        // Requests per second only while no pod is ready: otherwise pods count them as they are served.
                        let rps = clusters[i].readyCount == 0 ? g.rps : 0
                        try? await loop.push(target: descriptions[i].key, concurrency: g.concurrency, rps: rps, at: now)
                    }
                }
                if second % 2 == 0 {
                    let decided = await loop.decide(at: now)
                    if c.keepSeries && t < end { records.append(contentsOf: decided) }
                }
                for (key, replicas) in board.takeRequested() {
                    if let i = descriptions.firstIndex(where: { $0.key == key }) { clusters[i].scale(to: replicas) }
                }
            } else if fixed != nil {
                for i in clusters.indices { _ = clusters[i].gatewayReport() }
            } else if let oracle {
                for i in clusters.indices {
                    _ = clusters[i].gatewayReport()
                    if second < oracle[i].count { clusters[i].scale(to: oracle[i][second]) }
                }
            } else {
                for i in clusters.indices {
                    let key = descriptions[i].key
                    // The HPA has no activator: requests held at zero cannot be seen, but it never goes to zero.
                    _ = clusters[i].gatewayReport()
                    hpa[i].record(concurrency: samples[key]?[.concurrency])
                    if let d = hpa[i].decide(now: t, current: clusters[i].desired, ready: clusters[i].readyCount) {
                        clusters[i].scale(to: d)
                    }
                }
            }
            if c.keepSeries && t < end {
                var p = SeriesPoint(time: t, arrivals: 0, ready: 0, replicas: 0, queued: 0)
                for i in clusters.indices {
                    p.arrivals += clusters[i].takeArrivals()
                    p.ready += clusters[i].readyCount
                    p.replicas += clusters[i].desired
                    p.queued += clusters[i].queued
                }
                points.append(p)
            }
            if second % 600 == 0 && end > 0 { progress(min(1, t / end)) }
            second += 1
        }

        let result = summarise(policy, clusters: clusters, span: snapshot!, duration: end, gpusPerReplica: profile.gpusPerReplica,
                               objective: objective, stableWindow: stableWindow)
        return (result, points, records)
    }

    /// What the clusters of one policy's replay add up to. `span` holds the figures taken at
    /// the trace's end (replica-seconds stop there); latencies include the drain after it.
    private static func summarise(_ policy: PolicyChoice, clusters: [ClusterModel], span: SpanTotals, duration: Double,
                                  gpusPerReplica: Int, objective: Double, stableWindow: Double) -> PolicyResult {
        var ttft: [Double] = []
        var waits: [Double] = []
        var e2eSum = 0.0, e2eCount = 0
        var result = PolicyResult(
            policy: policy.name, requests: 0, completed: 0, failed: 0, unfinished: 0, replicaSeconds: span.podSeconds,
            gpuHours: span.podSeconds * Double(gpusPerReplica) / 3600, ttftP50: 0, ttftP95: 0, ttftP99: 0,
            queueWaitP99: 0, overObjectiveShare: 0, scaleEvents: 0, flaps: 0, coldStarts: span.coldStarts, secondsAtZero: span.zeroSeconds)
        for (i, cluster) in clusters.enumerated() {
            ttft.append(contentsOf: cluster.ttft)
            waits.append(contentsOf: cluster.waits)
            e2eSum += cluster.e2e.reduce(0, +)
            e2eCount += cluster.e2e.count
            result.preemptions += cluster.preemptions
            result.requests += cluster.requestCount
            result.completed += cluster.completed
            result.failed += cluster.failed
            result.unfinished += cluster.unfinished
            let events = span.events[i]
            result.scaleEvents += events.count
            result.flaps += Statistics.flaps(events.map { ($0.time, $0.from, $0.to) }, window: stableWindow)
        }
        result.ttftMean = ttft.isEmpty ? 0 : ttft.reduce(0, +) / Double(ttft.count)
        result.e2eMean = e2eCount > 0 ? e2eSum / Double(e2eCount) : 0
        result.outputTokensPerSecond = duration > 0 ? Double(span.generatedTokens) / duration : 0
        let late = ttft.reduce(0) { $0 + ($1 > objective ? 1 : 0) } + result.failed
        let p = Statistics.percentiles(&ttft, [50, 95, 99])
        result.ttftP50 = p[0]
        result.ttftP95 = p[1]
        result.ttftP99 = p[2]
        result.queueWaitP99 = Statistics.percentiles(&waits, [99])[0]
        let judged = ttft.count + result.failed
        result.overObjectiveShare = judged > 0 ? Double(late) / Double(judged) : 0
        return result
    }
}

/// Figures of a replay taken when the trace's span ends.
private struct SpanTotals {
    var podSeconds: Double
    var zeroSeconds: Double
    var coldStarts: Int
    var events: [[ClusterModel.ScaleEvent]]
    /// Output tokens produced by the trace's end, over every target.
    var generatedTokens: Int
}
