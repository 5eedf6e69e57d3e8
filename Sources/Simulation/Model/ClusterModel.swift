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

    // Requests (structure of arrays; index = request id).
    private let arrival: [Double]
    private let prompt: [Int32]
    private let output: [Int32]
    private let service: [Double]
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
    private(set) var ttft: [Double] = []
    private(set) var waits: [Double] = []
    private(set) var failed = 0
    private(set) var completed = 0
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
    private var promptTokensDone = 0.0
    private var generatedTokens = 0.0
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
            p.append(Int32(clamping: r.promptTokens))
            o.append(Int32(clamping: r.outputTokens))
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
        arrival = a
        prompt = p
        output = o
        service = s
        random = rng
        for _ in 0..<initialReplicas {
            replicas.append(Replica(id: replicas.count, createdAt: 0, readyAt: 0))
            replicas[replicas.count - 1].phase = .ready
            live.append(replicas.count - 1)
        }
        desired = initialReplicas
        livePods = initialReplicas
    }

    // MARK: - Time

    /// Runs every arrival and replica event up to and including `time`.
    mutating func advance(to time: Double) {
        while true {
            let nextEvent = peekEvent()
            let nextReq = nextArrival < arrival.count ? arrival[nextArrival] : .infinity
            let t = min(nextEvent?.key ?? .infinity, nextReq)
            guard t <= time else { break }
            setNow(t)
            if let e = nextEvent, e.key <= nextReq {
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
            let r = replicas[e.value.replica]
            if r.version == e.value.version && r.phase != .gone { return e }
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
        if case .llm(let m) = profile.kind, Int(prompt[Int(r)]) + Int(output[Int(r)]) > m.kvCacheTokens {
            failed += 1  // longer than the model's context: the runtime rejects it
            return
        }
        if !route(r) {
            gateway.append(r)
            gatewayArrivalsSinceCollect += 1
        }
    }

    /// Most requests the gateway sends one replica (a batch's worth for an LLM server, its
    /// slots for a predictive model); the rest wait at the gateway.
    private var perReplicaCap: Int {
        switch profile.kind {
        case .llm(let m): m.maxBatch
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
        replicas[best].waiting.append(r)
        outstanding += 1
        routedSinceCollect += 1
        admitAndSchedule(best)
        return true
    }

    // MARK: - Replicas

    private mutating func handle(replica i: Int) {
        if replicas[i].phase == .starting {
            replicas[i].phase = .ready
            replicas[i].lastAdvance = now
        }
        admitAndSchedule(i)
    }

    /// Moves replica `i` to `now`, finishes what is due, admits what fits, and schedules its
    /// next event.
    private mutating func admitAndSchedule(_ i: Int) {
        guard replicas[i].phase == .ready || replicas[i].phase == .draining else { return }
        switch profile.kind {
        case .llm(let m): stepLLM(i, m)
        case .predictive(let m): stepPredictive(i, m)
        }
        if replicas[i].phase == .draining && replicas[i].isEmpty { remove(i) }
    }

    private mutating func remove(_ i: Int) {
        replicas[i].phase = .gone
        livePods -= 1
        live.removeAll { $0 == i }
    }

    private mutating func stepLLM(_ i: Int, _ m: ModelProfile.LLM) {
        // Take the replica out so its queues are uniquely referenced (no copy on write).
        var rep = Replica.placeholder
        swap(&rep, &replicas[i])
        // Decode progress since the last step.
        let batch = rep.decoding.count
        if batch > 0 {
            let dt = now - rep.lastAdvance
            let rate = m.decodeRate(batch: batch)
            rep.progress += rate * dt
            generatedTokens += Double(batch) * rate * dt
        }
        rep.lastAdvance = now
        // Finished sequences leave and free their KV cache.
        while let k = rep.decoding.minKey, k <= rep.progress + 1e-9 {
            let (_, r) = rep.decoding.pop()
            rep.kvUsed -= Int(prompt[Int(r)]) + Int(output[Int(r)])
            completed += 1
            outstanding -= 1
        }
        // Prefill done: the first token is out.
        if let end = rep.prefillEnd, end <= now + 1e-12 {
            let r = rep.prefill.removeFirst()
            rep.prefillEnd = nil
            promptTokensDone += Double(prompt[Int(r)])
            ttft.append(now - arrival[Int(r)])
            generatedTokens += 1
            let rest = Double(max(0, Int(output[Int(r)]) - 1))
            if rest > 0 {
                rep.decoding.push(rep.progress + rest, r)
            } else {
                rep.kvUsed -= Int(prompt[Int(r)]) + Int(output[Int(r)])
                completed += 1
                outstanding -= 1
            }
        }
        pullFromGateway(&rep)
        // Admit from the queue while the batch and the KV cache have room (a draining pod too:
        // what was routed to it before it stopped taking requests is still its to serve).
        while let r = rep.waiting.first {
            let need = Int(prompt[Int(r)]) + Int(output[Int(r)])
            guard rep.running < m.maxBatch, rep.kvUsed + need <= m.kvCacheTokens else { break }
            _ = rep.waiting.removeFirst()
            if timedOut(r) { continue }
            rep.kvUsed += need
            rep.prefill.append(r)
        }
        if rep.prefillEnd == nil, let r = rep.prefill.first {
            waits.append(now - arrival[Int(r)])  // the queue wait ends when its prefill starts
            rep.prefillEnd = now + Double(max(1, prompt[Int(r)])) / m.prefillTokensPerSecond
        }
        // Next event: the prefill's end or the next sequence to finish decoding.
        var next = rep.prefillEnd ?? .infinity
        if let k = rep.decoding.minKey {
            next = min(next, now + max(0, k - rep.progress) / m.decodeRate(batch: rep.decoding.count))
        }
        rep.version += 1
        let version = rep.version
        swap(&rep, &replicas[i])
        if next.isFinite { events.push(next, (i, version)) }
    }

    private mutating func stepPredictive(_ i: Int, _ m: ModelProfile.Predictive) {
        // Take the replica out so its queues are uniquely referenced (no copy on write).
        var rep = Replica.placeholder
        swap(&rep, &replicas[i])
        while let k = rep.inService.minKey, k <= now + 1e-12 {
            let (_, r) = rep.inService.pop()
            // A predictive model answers all at once: the "first token" is the response.
            ttft.append(now - arrival[Int(r)])
            completed += 1
            outstanding -= 1
        }
        pullFromGateway(&rep)
        while rep.inService.count < m.slots, let r = rep.waiting.first {
            _ = rep.waiting.removeFirst()
            if timedOut(r) { continue }
            waits.append(now - arrival[Int(r)])
            rep.inService.push(now + service[Int(r)], r)
        }
        rep.version += 1
        let version = rep.version, next = rep.inService.minKey
        swap(&rep, &replicas[i])
        if let next { events.push(next, (i, version)) }
    }

    /// Whether request `r`, taken from a replica's queue, waited past the timeout; it then
    /// counts as failed and leaves.
    private mutating func timedOut(_ r: Int32) -> Bool {
        guard now - arrival[Int(r)] > requestTimeout else { return false }
        failed += 1
        outstanding -= 1
        return true
    }

    /// A ready replica with room takes requests the gateway holds, oldest first.
    private mutating func pullFromGateway(_ rep: inout Replica) {
        guard rep.phase == .ready else { return }
        while rep.outstanding < perReplicaCap, let r = gateway.first {
            _ = gateway.removeFirst()
            if now - arrival[Int(r)] > requestTimeout {
                failed += 1
                continue
            }
            rep.waiting.append(r)
            outstanding += 1
            routedSinceCollect += 1
        }
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
                replicas.append(Replica(id: id, createdAt: now, readyAt: now + cold))
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
        while let r = gateway.first, now - arrival[Int(r)] > requestTimeout {
            _ = gateway.removeFirst()
            failed += 1
        }
    }

    /// Requests not finished (not arrived, waiting or running).
    var unfinished: Int { gateway.count + outstanding + (arrival.count - nextArrival) }

    // MARK: - Observation

    var readyCount: Int { live.reduce(0) { $0 + (replicas[$1].phase == .ready ? 1 : 0) } }
    var gatewayWaiting: Int { gateway.count }
    var requestCount: Int { arrival.count }

    /// Arrivals since the last call (for charts).
    mutating func takeArrivals() -> Int {
        defer { arrivalsSinceSample = 0 }
        return arrivalsSinceSample
    }

    /// Requests waiting: at the gateway and in the runtimes' queues.
    var queued: Int { gateway.count + live.reduce(0) { $0 + replicas[$1].waitingSignal } }

    /// The pods as discovery would list them (terminating pods are left out).
    func pods(at origin: Timestamp) -> [(ready: Bool, readySince: Timestamp?)] {
        live.compactMap { i -> (ready: Bool, readySince: Timestamp?)? in
            let r = replicas[i]
            switch r.phase {
            case .starting: return (false, nil)
            case .ready: return (true, origin.adding(seconds: r.readyAt))
            case .draining, .gone: return nil
            }
        }
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
            let done = promptTokensDone, generated = generatedTokens
            var kv = 0.0
            for i in ready { kv += Double(replicas[i].kvUsed) / Double(m.kvCacheTokens) }
            sample[.promptTokensPerSecond] = max(0, done - lastPromptDone) / dt
            sample[.generationTokensPerSecond] = max(0, generated - lastGenerated) / dt
            sample[.kvCacheUtilization] = kv / Double(ready.count)
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
