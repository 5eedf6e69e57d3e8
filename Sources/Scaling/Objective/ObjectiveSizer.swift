/// The objective policy's sizing: learns capacity, demand and cold start from the samples
/// and pods it is given, and each evaluation returns the replicas the objective needs one
/// cold start ahead, held through lulls shorter than a cold start. Pure: values and times in,
/// a count and its explanation out. `PolicyDecider` passes the count through Knative's
/// decider for its rate limits and panic hold (see `PolicyDecider+Objective`).
public struct ObjectiveSizer: Sendable {
    /// The objective.
    public private(set) var spec: ObjectiveSpec
    public private(set) var capacity = CapacityEstimator()
    public private(set) var demand: DemandEstimator
    public private(set) var coldStart: ColdStartEstimator
    /// Samples recorded since the last evaluation, folded in with its ready-pod count.
    private var pending: [SignalSample] = []
    /// Counts of recent evaluations, for the hold.
    private var needed: [(time: Timestamp, count: Int)] = []

    /// A sizer that starts learning at `now`.
    public init(spec: ObjectiveSpec, now: Timestamp) {
        self.spec = spec
        demand = DemandEstimator(historySeconds: spec.historySeconds)
        coldStart = ColdStartEstimator(priorSeconds: spec.coldStartPriorSeconds, since: now)
    }

    /// Replaces the objective, keeping what was learned.
    public mutating func update(spec newSpec: ObjectiveSpec) {
        spec = newSpec
        coldStart.priorSeconds = newSpec.coldStartPriorSeconds
    }

    /// Records one scrape (about one a second). At most an hour's worth waits for an evaluation.
    public mutating func record(_ sample: SignalSample) {
        pending.append(sample)
        if pending.count > 3600 { pending.removeFirst() }
    }

    /// The count at `now` for pods as `pods` shows them; nil before any sample.
    public mutating func evaluate(pods: PodCounts, at now: Timestamp) -> ObjectiveEstimate? {
        coldStart.observe(pods.startups)
        let ready = pods.ready
        capacity.probeSpanSeconds = coldStart.seconds
        let samples = pending
        pending.removeAll(keepingCapacity: true)
        var sawLoad = false
        // A gateway's report (the activator's, pushed) tells the requests it holds because no
        // replica has room: they wait as much as those in the runtimes' queues. A report goes
        // with the scrape before it (the same moment, as the control loop scrapes and then takes
        // pushes); a scrape no report follows had nothing held.
        var scrapes: [(sample: SignalSample, atGateway: Double)] = []
        for s in samples {
            if s[.promptTokensPerSecond] == nil && s[.queueDepth] == nil && s[.running] == nil {
                let held = s[.concurrency] ?? 0
                if held > 0 { sawLoad = true }
                if !scrapes.isEmpty { scrapes[scrapes.count - 1].atGateway = held }
                continue
            }
            scrapes.append((s, 0))
        }
        for (s, atGateway) in scrapes {
            let waiting = s[.queueDepth].map { $0 + atGateway } ?? (atGateway > 0 ? atGateway : nil)
            let kvCapacity = s.kvCacheCapacityTokens ?? capacity.kvCacheTokensPerReplica
            capacity.observe(processedTokens: s[.promptTokensPerSecond], waiting: waiting, running: s[.running],
                             kvUse: s[.kvCacheUtilization], kvCapacityTokens: s.kvCacheCapacityTokens, readyPods: ready)
            guard ready > 0, let processed = s[.promptTokensPerSecond] else { continue }
            let held: Double? = if let use = s[.kvCacheUtilization], let kvCapacity { use * kvCapacity * Double(ready) } else { nil }
            demand.observe(processedTokens: processed, requests: s[.rps], waiting: waiting, running: s[.running],
                           kvHeldTokens: held)
        }
        guard !demand.seconds.isEmpty || sawLoad else { return nil }

        let cold = coldStart.seconds
        let q = spec.quantile
        // The wait the forecast's fluid queue may give a prompt: what the objective leaves after
        // the prompt's own prefill at a replica's learned rate (a fast replica leaves most of it
        // to queueing, a slow one little), never less than the queueing share.
        var allowance = spec.ttftSeconds * spec.queueingShare
        if let mu = capacity.prefillTokensPerSecond, mu > 0, let prompt = demand.meanPromptTokens {
            allowance = max(allowance, spec.ttftSeconds - spec.ownPrefillPrompts * prompt / mu)
        }
        let forecast = demand.forecast(quantile: q, objectiveSeconds: allowance, aheadSeconds: cold)
        var estimate = ObjectiveEstimate(
            capacityTokensPerSecond: capacity.prefillTokensPerSecond,
            capacitySource: capacity.isSaturatedEstimate ? "saturated" : (capacity.prefillTokensPerSecond == nil ? "none" : "busiest-seen"),
            sequencesPerReplica: capacity.sequencesPerReplica, kvCacheTokensPerReplica: capacity.kvCacheTokensPerReplica,
            demandTokensPerSecond: demand.mean(lastSeconds: Int(spec.ttftSeconds.rounded(.up))), queuedTokens: demand.queuedTokens,
            forecastTokensPerSecond: forecast, queueingAllowanceSeconds: allowance, coldStartSeconds: cold, coldStartMeasured: coldStart.isMeasured,
            prefillReplicas: 0, needed: 0, count: 0)
        // Until a replica's limit is known, the replicas there are carry what arrives.
        if let mu = estimate.capacityTokensPerSecond, mu > 0 {
            estimate.prefillReplicas = Int((forecast / mu).rounded(.up))
        } else {
            estimate.prefillReplicas = max(ready, sawLoad ? 1 : 0)
        }
        if let kvPerReplica = capacity.kvCacheTokensPerReplica, kvPerReplica > 0,
           let kv = demand.quantile(q, of: \.kvTokens) {
            estimate.kvReplicas = Int((kv / (kvPerReplica * spec.kvCacheFill)).rounded(.up))
        }
        if let tpot = spec.tpotSeconds, ready > 0, let last = samples.last,
           let running = last[.running], let generated = last[.generationTokensPerSecond], generated > 0, running > 0 {
            // Each running sequence gets generated ÷ running tokens a second; decode steps slow
            // about in proportion to the sequences a replica batches.
            let observed = running / generated
            estimate.tpotReplicas = Int((Double(ready) * observed / tpot).rounded(.up))
        }
        // The sequences seen while requests waited are shown, not sized for: in vLLM V1 requests
        // mostly wait for the step's token budget, so they do not reveal the sequence cap.
        var count = max(estimate.prefillReplicas, estimate.kvReplicas ?? 0, estimate.tpotReplicas ?? 0)
        if count == 0 && (sawLoad || demand.mean(lastSeconds: Int(cold)) > 0) { count = 1 }
        estimate.needed = count
        // Hold the highest count of the last cold start: a replica let go in a lull shorter
        // than that would come back only after the load it was needed for.
        needed.append((now, count))
        let horizon = now.adding(seconds: -cold)
        needed.removeAll { $0.time < horizon }
        estimate.count = needed.map(\.count).max() ?? count
        return estimate
    }
}
