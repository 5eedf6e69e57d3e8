import Testing
@testable import Scaling

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

@Suite struct PolicyDeciderTests {
    /// One concurrency (or rps) metric with Knative's settings decides exactly as the KPA
    /// decider over the same windows: desired, validity, panic and burst capacity, every tick.
    static let cases: [(UInt64, [String: String])] = [
        (1, [:]), (2, ["metric": "rps"]), (3, ["scale-down-delay": "20s"]),
        (4, ["metric-aggregation-algorithm": "weighted-exponential"]), (5, ["window": "30s", "panic-window-percentage": "20"]),
        (6, ["activation-scale": "3", "target": "10"]), (7, ["target-burst-capacity": "-1"]),
    ]

    /// Under Knative's reading (a second without a sample is zero) silences of any length agree.
    /// Under inferscale's (no data) they agree whenever no second inside a window was missed, so
    /// there the silences are longer than the stable window and both start afresh; weighted
    /// windows get none, since Knative decays them over trailing silence and inferscale does not.
    @Test(arguments: cases, [true, false])
    func oneMetricWithKnativeDefaultsDecidesAsKPA(_ c: (seed: UInt64, annotations: [String: String]), knativeReading: Bool) throws {
        let (seed, annotations) = c
        let kpa = try KPAPolicy(annotations: try RevisionAnnotations(annotations))
        var rng = SplitMix64(seed: seed)
        let initial = Int.random(in: 0...3, using: &rng)
        var windows = kpa.makeMetricCollection()
        var decider = Decider(spec: kpa.decider, readyPods: initial, now: t(0))
        var spec = PolicySpec(kpa: kpa)
        spec.unsampledSecondsReadAsZero = knativeReading
        var policy = PolicyDecider(spec: spec, readyPods: initial, now: t(0))
        let silences = knativeReading ? 1...120 : (kpa.decider.stableWindowSeconds + 1)...(kpa.decider.stableWindowSeconds + 120)
        var load = 0.0, rps = 0.0, ready = 1
        var silentUntil = -1, lastWrite = -1
        var compared = 0
        for s in 0..<1_500 {
            if Int.random(in: 0..<15, using: &rng) == 0 { load = Double.random(in: 0...900, using: &rng); rps = load * 1.7 }
            if Int.random(in: 0..<200, using: &rng) == 0 && (knativeReading || kpa.aggregationAlgorithm == .linear) {
                silentUntil = s + Int.random(in: silences, using: &rng)
            }
            if Int.random(in: 0..<12, using: &rng) == 0 { ready = Int.random(in: 0...20, using: &rng) }
            let now = t(Int64(s))
            if s > silentUntil {
                windows.record(Stat(averageConcurrentRequests: load, requestCount: rps), at: now)
                policy.record(SignalSample([.concurrency: load, .rps: rps]), at: now)
                lastWrite = s
            }
            guard s % 2 == 0 else { continue }
            let expected = decider.evaluate(readyPods: ready, observation: windows.observation(of: kpa.decider.metric, at: now), now: now)
            let record = policy.evaluate(pods: PodCounts(ready: ready), at: now)
            if !knativeReading && s - lastWrite == kpa.decider.stableWindowSeconds && kpa.decider.targetBurstCapacity != -1 {
                // The one tick the readings differ by design: the last sample is a whole window old, so the window
                // holds none. Knative reads it as 0 load; without its reading it is no data (no decision). With the
                // activator always in the path (burst capacity −1) an empty window is no load in both.
                #expect(!record.valid, "no data at \(s)s")
                compared += 1
                continue
            }
            #expect(record.valid == expected.isValid, "valid at \(s)s")
            #expect(record.desired == expected.desiredPodCount, "desired at \(s)s")
            if expected.isValid {
                #expect(record.excessBurstCapacity == expected.excessBurstCapacity, "ebc at \(s)s")
            }
            #expect(record.inPanic == decider.inPanic, "panic at \(s)s")
            compared += 1
        }
        #expect(compared == 750)
    }

    @Test func largestMetricWinsAndIsRecorded() {
        var spec = PolicySpec()
        spec.metrics = [.init(signal: .concurrency, target: 10), .init(signal: .queueDepth, target: 2)]
        var p = PolicyDecider(spec: spec, readyPods: 4, now: t(0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 20, .queueDepth: 12]), at: t(s)) }
        let r = p.evaluate(pods: PodCounts(ready: 4), at: t(10))
        // concurrency: ceil(20/10) = 2; queue: ceil(12/2) = 6 → 6 (the decider started in panic, holding 4).
        #expect(r.desired == 6)
        #expect(r.winner == .queueDepth)
        #expect(r.inputs.map(\.stablePods) == [2, 6])
    }

    @Test func tokenAwarePanicScalesBeforeConcurrencyShowsIt() {
        // Prompt tokens surge while concurrency is still low: the panic-only token metric trips panic.
        var spec = PolicySpec()
        spec.metrics = [.init(signal: .concurrency, target: 10),
                        .init(signal: .promptTokensPerSecond, target: 5_000, panicOnly: true)]
        var p = PolicyDecider(spec: spec, readyPods: 1, now: t(0))
        for s in Int64(0)..<60 { p.record(SignalSample([.concurrency: 5, .promptTokensPerSecond: 1_000]), at: t(s)) }
        #expect(p.evaluate(pods: PodCounts(ready: 1), at: t(58)).desired == 1)
        for s in Int64(60)..<66 { p.record(SignalSample([.concurrency: 8, .promptTokensPerSecond: 40_000]), at: t(s)) }
        let r = p.evaluate(pods: PodCounts(ready: 1), at: t(65))
        #expect(r.inPanic)
        #expect(r.desired == 8)  // ceil(40,000 / 5,000)
        #expect(r.winner == .promptTokensPerSecond)
        // A panic-only metric does not vote in stable mode: 9,000 tokens/s would ask for 2 pods,
        // but on 3 ready pods that is below the panic threshold, and concurrency asks for 1.
        var quiet = PolicyDecider(spec: spec, readyPods: 1, now: t(0))
        for s in Int64(0)..<60 { quiet.record(SignalSample([.concurrency: 5, .promptTokensPerSecond: 9_000]), at: t(s)) }
        let q = quiet.evaluate(pods: PodCounts(ready: 3), at: t(58))
        #expect(!q.inPanic)
        #expect(q.desired == 1)
    }

    @Test func missingSignalHoldsTheCurrentCountAndIsReported() {
        var spec = PolicySpec()
        spec.metrics = [.init(signal: .concurrency, target: 10), .init(signal: .queueDepth, target: 2)]
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 10]), at: t(s)) }
        let r = p.evaluate(pods: PodCounts(ready: 5), at: t(10))
        #expect(r.missingSignals == [.queueDepth])
        #expect(r.desired == 5)
        #expect(r.clamps.last?.step == "missing-signal")
        // With no signal at all the evaluation is invalid: the last decision stands.
        var none = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        #expect(!none.evaluate(pods: PodCounts(ready: 5), at: t(10)).valid)
    }

    @Test func podsStartingHoldAScaleDown() {
        var spec = PolicySpec()
        spec.guards = .init(coldStartSeconds: 120, holdWhilePodsStart: true)
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 0]), at: t(s)) }
        #expect(p.evaluate(pods: PodCounts(ready: 4, notReady: 1), at: t(10)).desired == 5)
        #expect(p.evaluate(pods: PodCounts(ready: 4, youngestReadyAgeSeconds: 30), at: t(10)).clamps.last?.step == "guard:pods-starting")
        #expect(p.evaluate(pods: PodCounts(ready: 4, youngestReadyAgeSeconds: 300), at: t(10)).desired == 2)
    }

    @Test func kvCacheCeilingLimitsAScaleDown() {
        var spec = PolicySpec()
        spec.decider.maxScaleDownRate = 100
        spec.guards.kvCacheCeiling = 0.8
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 10, .kvCacheUtilization: 0.5]), at: t(s)) }
        // Load says 1 pod; 8 pods at 50 % KV cache need ceil(0.5 × 8 / 0.8) = 5 to stay under 80 %.
        let r = p.evaluate(pods: PodCounts(ready: 8), at: t(10))
        #expect(r.desired == 5)
        #expect(r.clamps.map(\.step).contains("guard:kv-cache"))
    }

    @Test func clampsAreRecordedInOrder() {
        var spec = PolicySpec()
        spec.decider.scaleDownDelaySeconds = 10
        spec.maxReplicas = 3
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 350]), at: t(s)) }
        let first = p.evaluate(pods: PodCounts(ready: 5), at: t(10))
        #expect(first.desired == 3)
        #expect(first.clamps.map(\.step) == ["bounds"])
        for s in Int64(11)...20 { p.record(SignalSample([.concurrency: 0]), at: t(s)) }
        let later = p.evaluate(pods: PodCounts(ready: 5), at: t(12))
        #expect(later.clamps.map(\.step) == ["scale-down-delay", "bounds"])
    }

    @Test func updateKeepsWindowHistory() {
        var spec = PolicySpec()
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)...30 { p.record(SignalSample([.concurrency: 140]), at: t(s)) }
        spec.decider.panicThreshold = 10
        p.update(spec: spec)
        #expect(p.evaluate(pods: PodCounts(ready: 2), at: t(30)).desired == 2)
    }
}
