import Scaling

/// The cluster model of one target: its replicas, a gateway queue that holds requests while
/// no replica is ready (as Knative's activator does), request routing to the least-loaded
/// ready replica, and the signals a scrape of its pods would return. Discrete-event: time
/// moves from one arrival or replica event to the next, never in fixed steps.
struct ClusterModel {
    let profile: ModelProfile
    let coldStartMean: Double
    /// Seconds a request may wait for service before it counts as failed.
    let requestTimeout: Double
    private var random: SeededRandom

    /// The requests and where each stands.
    private var table: RequestTable
    private var nextArrival = 0

    private(set) var replicas: [Replica] = []
    /// Indices of replicas that are not gone (starting, ready or draining).
    private var live: [Int] = []
    /// Replica events keyed by time; a replica that changes state pushes a new one with a new
    /// version, and stale ones are skipped when they come up.
    private var events = MinHeap<(replica: Int, version: Int)>()
    private var gateway = FIFO()
    private(set) var now = 0.0
    /// Replicas requested (starting + ready).
    private(set) var desired = 0

    // Outcomes.
    /// What the replicas' engines (or slots) report.
    private var outcomes = EngineOutcomes()
    /// Requests failed outside the engines: at the gateway, or longer than the model takes.
    private var rejected = 0
    private(set) var coldStarts = 0
    private(set) var scaleEvents: [ScaleEvent] = []
    private(set) var podSeconds = 0.0
    private(set) var zeroSeconds = 0.0
    private var livePods = 0
    private var lastPodAccount = 0.0

    // Signal accounting between scrapes.
    private var outstanding = 0
    private var concurrencyArea = 0.0
    private var lastAreaUpdate = 0.0
    private var lastCollect = 0.0
    private var routedSinceCollect = 0
    private var gatewayArrivalsSinceCollect = 0
    private var arrivalsSinceSample = 0
    private var lastPromptDone = 0.0
    private var lastGenerated = 0.0

    struct ScaleEvent: Sendable, Equatable {
        var time: Double
        var from: Int
        var to: Int
    }

    init(profile: ModelProfile, coldStartSeconds: Double, requestTimeout: Double, seed: UInt64,
         requests: some Collection<TraceRequest>, initialReplicas: Int) {
        self.profile = profile
        coldStartMean = coldStartSeconds
        self.requestTimeout = requestTimeout
        var rng = SeededRandom(seed: seed)
        var a: [Double] = [], p: [Int32] = [], o: [Int32] = [], s: [Double] = []
        a.reserveCapacity(requests.count)
        p.reserveCapacity(requests.count)
        o.reserveCapacity(requests.count)
        s.reserveCapacity(requests.count)
        for r in requests {
            a.append(r.time)
            // The engine computes at least one prompt token and produces at least one token.
            p.append(max(1, Int32(clamping: r.promptTokens)))
            o.append(max(1, Int32(clamping: r.outputTokens)))
            if case .predictive(let m) = profile.kind {
                if let given = r.serviceSeconds {
                    s.append(given)
                } else {
                    s.append(rng.logNormal(mean: m.meanServiceSeconds, cv: m.serviceCV))
                }
            } else {
                s.append(0)
            }
        }
        table = RequestTable(arrival: a, prompt: p, output: o, service: s)
        outcomes.ttft.reserveCapacity(a.count)
        outcomes.e2e.reserveCapacity(a.count)
        outcomes.waits.reserveCapacity(a.count)
        random = rng
        for _ in 0..<initialReplicas {
            var replica = Replica(id: replicas.count, createdAt: 0, readyAt: 0, engine: Self.engine(profile, requestTimeout))
            replica.phase = .ready
            replicas.append(replica)
            live.append(replicas.count - 1)
        }
        desired = initialReplicas
        livePods = initialReplicas
    }

    private static func engine(_ profile: ModelProfile, _ timeout: Double) -> V1Scheduler {
        if case .llm(let m) = profile.kind { return V1Scheduler(settings: m, timeout: timeout) }
        return .none
    }

    // Outcomes, over every replica.
    var ttft: [Double] { outcomes.ttft }
    var e2e: [Double] { outcomes.e2e }
    var waits: [Double] { outcomes.waits }
    var completed: Int { outcomes.completed }
    var failed: Int { rejected + outcomes.timedOut }
    var preemptions: Int { outcomes.preemptions }

    /// Output tokens produced by `now` (vLLM's generation counter over every replica).
    var generatedTokens: Int {
        live.reduce(outcomes.generatedTokens) { $0 + replicas[$1].engine.metrics(at: now).pendingTokens }
    }

    // MARK: - Time

    /// Runs every arrival and replica event up to and including `time`.
    mutating func advance(to time: Double) {
        while true {
            let nextEvent = peekEvent()
            let nextReq = nextArrival < table.count ? table.arrival[nextArrival] : .infinity
            let t = min(nextEvent?.key ?? .infinity, nextReq)
            guard t <= time else { break }
            setNow(t)
            // Arrivals first at equal times: a step that ends as a request arrives schedules it.
            if let e = nextEvent, e.key < nextReq {
                events.pop()
                handle(replica: e.value.replica)
            } else {
                arrive(Int32(nextArrival))
                nextArrival += 1
            }
        }
        setNow(time)
    }

    private mutating func peekEvent() -> (key: Double, value: (replica: Int, version: Int))? {
        while let e = events.first {
            let i = e.value.replica
            if replicas[i].version == e.value.version && replicas[i].phase != .gone { return e }
            events.pop()
        }
        return nil
    }

    private mutating func setNow(_ t: Double) {
        guard t > now else { return }
        concurrencyArea += Double(outstanding) * (t - lastAreaUpdate)
        lastAreaUpdate = t
        podSeconds += Double(livePods) * (t - lastPodAccount)
        if desired == 0 { zeroSeconds += t - lastPodAccount }
        lastPodAccount = t
        now = t
    }

    // MARK: - Requests

    private mutating func arrive(_ r: Int32) {
        arrivalsSinceSample += 1
        if case .llm(let m) = profile.kind,
           Int(table.prompt[Int(r)]) + Int(table.output[Int(r)]) > min(m.maxModelLen, m.kvCacheTokens) {
            rejected += 1  // longer than the model's context or the whole cache: vLLM rejects it
            table.state[Int(r)] = .done
            return
        }
        if !route(r) {
            gateway.append(r)
            gatewayArrivalsSinceCollect += 1
        }
    }

    /// Most requests the gateway sends one replica (vLLM's sequence cap for an LLM server,
    /// its slots for a predictive model); the rest wait at the gateway.
    private var perReplicaCap: Int {
        switch profile.kind {
        case .llm(let m): m.maxNumSeqs
        case .predictive(let m): m.slots
        }
    }

    /// Sends a request to the ready replica with the fewest requests that has room; false
    /// when none has.
    private mutating func route(_ r: Int32) -> Bool {
        var best = -1
        var bestLoad = perReplicaCap
        for i in live where replicas[i].phase == .ready {
            let load = replicas[i].outstanding
            if load < bestLoad {
                best = i
                bestLoad = load
            }
        }
        guard best >= 0 else { return false }
        outstanding += 1
        routedSinceCollect += 1
        serve(best, stepEnded: false, routed: r)
        return true
    }

    // MARK: - Replicas

    private mutating func handle(replica i: Int) {
        var stepEnded = true
        if replicas[i].phase == .starting {
            replicas[i].phase = .ready
            stepEnded = false
        }
        serve(i, stepEnded: stepEnded, routed: nil)
    }

    /// Moves replica `i` to `now`: the step (or service) that ended, a request routed to it,
    /// requests the gateway holds while it has room; then schedules its next event. The
    /// replica is changed in place (`replicas[i]…`): copying it out and back would move its
    /// whole engine twice per event.
    private mutating func serve(_ i: Int, stepEnded: Bool, routed: Int32?) {
        guard replicas[i].phase == .ready || replicas[i].phase == .draining else { return }
        let finishedBefore = outcomes.completed + outcomes.timedOut
        switch profile.kind {
        case .llm: serveLLM(i, stepEnded: stepEnded, routed: routed)
        case .predictive(let m): servePredictive(i, m, routed: routed)
        }
        outstanding -= outcomes.completed + outcomes.timedOut - finishedBefore
        if replicas[i].phase == .draining && replicas[i].isEmpty { remove(i) }
    }

    private mutating func remove(_ i: Int) {
        replicas[i].phase = .gone
        livePods -= 1
        live.removeAll { $0 == i }
    }

    private mutating func serveLLM(_ i: Int, stepEnded: Bool, routed: Int32?) {
        var next: Double?
        var changed = false
        if stepEnded {
            next = replicas[i].engine.stepEnded(now: now, &table, &outcomes)
            changed = true
        }
        if let routed, let t = replicas[i].engine.enqueue(routed, now: now) {
            next = t
            changed = true
        }
        // A draining replica takes nothing more; what was routed to it before is still its to serve.
        if replicas[i].phase == .ready {
            while replicas[i].engine.outstanding < perReplicaCap, let r = gateway.first {
                _ = gateway.removeFirst()
                if now - table.arrival[Int(r)] > requestTimeout {
                    rejected += 1
                    continue
                }
                outstanding += 1
                routedSinceCollect += 1
                if let t = replicas[i].engine.enqueue(r, now: now) {
                    next = t
                    changed = true
                }
            }
        }
        guard changed else { return }
        replicas[i].version += 1
        if let next { events.push(next, (i, replicas[i].version)) }
    }

    private mutating func servePredictive(_ i: Int, _ m: ModelProfile.Predictive, routed: Int32?) {
        while let k = replicas[i].inService.minKey, k <= now + 1e-12 {
            let (_, r) = replicas[i].inService.pop()
            // A predictive model answers all at once: the "first token" is the response.
            outcomes.ttft.append(now - table.arrival[Int(r)])
            outcomes.e2e.append(now - table.arrival[Int(r)])
            outcomes.completed += 1
        }
        if let routed { replicas[i].waiting.append(routed) }
        if replicas[i].phase == .ready {
            while replicas[i].outstanding < perReplicaCap, let r = gateway.first {
                _ = gateway.removeFirst()
                if now - table.arrival[Int(r)] > requestTimeout {
                    rejected += 1
                    continue
                }
                replicas[i].waiting.append(r)
                outstanding += 1
                routedSinceCollect += 1
            }
        }
        while replicas[i].inService.count < m.slots, let r = replicas[i].waiting.first {
            _ = replicas[i].waiting.removeFirst()
            if now - table.arrival[Int(r)] > requestTimeout {
                outcomes.timedOut += 1
                continue
            }
            outcomes.waits.append(now - table.arrival[Int(r)])
            replicas[i].inService.push(now + table.service[Int(r)], r)
        }
        replicas[i].version += 1
        if let next = replicas[i].inService.minKey { events.push(next, (i, replicas[i].version)) }
    }

    // MARK: - Scaling

    /// Sets the replicas requested: new ones start (cold start), surplus ones stop — starting
    /// ones first, then the least-loaded ready ones, which finish their requests first.
    mutating func scale(to n: Int) {
        let n = max(0, n)
        guard n != desired else { return }
        scaleEvents.append(ScaleEvent(time: now, from: desired, to: n))
        if n > desired {
            for _ in desired..<n {
                let cold = random.logNormal(mean: coldStartMean, cv: profile.coldStartCV)
                let id = replicas.count
                replicas.append(Replica(id: id, createdAt: now, readyAt: now + cold, engine: Self.engine(profile, requestTimeout)))
                events.push(now + cold, (id, 0))
                live.append(id)
                livePods += 1
                coldStarts += 1
            }
        } else {
            var surplus = desired - n
            for i in live.reversed() where surplus > 0 && replicas[i].phase == .starting {
                remove(i)
                surplus -= 1
            }
            while surplus > 0 {
                guard let i = live.filter({ replicas[$0].phase == .ready })
                    .min(by: { replicas[$0].outstanding < replicas[$1].outstanding }) else { break }
                replicas[i].phase = .draining
                if replicas[i].isEmpty { remove(i) }
                surplus -= 1
            }
        }
        desired = n
    }

    /// Fails requests that waited past the timeout at the gateway (the activator's timeout).
    mutating func expireGateway() {
        while let r = gateway.first, now - table.arrival[Int(r)] > requestTimeout {
            _ = gateway.removeFirst()
            rejected += 1
        }
    }

    /// Requests not finished (not arrived, waiting or running).
    var unfinished: Int { gateway.count + outstanding + (table.count - nextArrival) }

    // MARK: - Observation

    var readyCount: Int { live.reduce(0) { $0 + (replicas[$1].phase == .ready ? 1 : 0) } }
    var gatewayWaiting: Int { gateway.count }
    var requestCount: Int { table.count }

    /// Arrivals since the last call (for charts).
    mutating func takeArrivals() -> Int {
        defer { arrivalsSinceSample = 0 }
        return arrivalsSinceSample
    }

    /// Requests waiting: at the gateway and in the runtimes' queues.
    var queued: Int { gateway.count + live.reduce(0) { $0 + replicas[$1].waitingSignal } }

    /// The pods as discovery would list them (terminating pods are left out).
    func pods(at origin: Timestamp) -> [(ready: Bool, readySince: Timestamp?, createdAt: Timestamp)] {
        live.compactMap { i -> (ready: Bool, readySince: Timestamp?, createdAt: Timestamp)? in
            let r = replicas[i]
            let created = origin.adding(seconds: r.createdAt)
            switch r.phase {
            case .starting: return (false, nil, created)
            case .ready: return (true, origin.adding(seconds: r.readyAt), created)
            case .draining, .gone: return nil
            }
        }
    }

    /// Each ready LLM replica's /metrics now, in vLLM V1's terms.
    func vllmMetrics() -> [VLLMMetrics] {
        guard case .llm = profile.kind else { return [] }
        return live.filter { replicas[$0].phase == .ready }.map { replicas[$0].engine.exported(at: now) }
    }

    /// What scraping every ready pod now would give; empty when no pod is ready.
    mutating func collect() -> SignalSample {
        let dt = now - lastCollect
        defer {
            lastCollect = now
            concurrencyArea = 0
            routedSinceCollect = 0
        }
        var sample = SignalSample()
        let ready = live.filter { replicas[$0].phase == .ready }
        guard !ready.isEmpty, dt > 0 else { return sample }
        sample[.concurrency] = concurrencyArea / dt
        sample[.rps] = Double(routedSinceCollect) / dt
        var waiting = 0, running = 0
        for i in ready {
            waiting += replicas[i].waitingSignal
            running += replicas[i].runningSignal
        }
        sample[.queueDepth] = Double(waiting)
        sample[.running] = Double(running)
        if case .llm(let m) = profile.kind {
            var kv = 0.0
            for i in ready { kv += Double(replicas[i].engine.metrics(at: now).usedBlocks) / Double(m.gpuBlocks) }
            let done = Double(outcomes.promptTokens), generated = Double(generatedTokens)
            sample[.promptTokensPerSecond] = max(0, done - lastPromptDone) / dt
            sample[.generationTokensPerSecond] = max(0, generated - lastGenerated) / dt
            sample[.kvCacheUtilization] = kv / Double(ready.count)
            // What the pods' `cache_config_info` says, as a scrape would read it.
            let exported = ready.map { replicas[$0].engine.exported(at: now) }
            sample.kvCacheCapacityTokens = exported.reduce(0) { $0 + Double($1.numGpuBlocks * $1.blockSize) } / Double(exported.count)
            lastPromptDone = done
            lastGenerated = generated
        }
        return sample
    }

    /// What the gateway reports for a target it holds requests for (the activator's stats):
    /// requests held, and arrivals per second since the last report.
    mutating func gatewayReport() -> (concurrency: Double, rps: Double)? {
        let dtArrivals = gatewayArrivalsSinceCollect
        gatewayArrivalsSinceCollect = 0
        guard gateway.count > 0 else { return nil }
        return (Double(gateway.count), Double(dtArrivals))
    }
}
