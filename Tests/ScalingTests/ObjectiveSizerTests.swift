import Testing
@testable import Scaling

/// The objective policy's estimators on cases worked out by hand, and the policy through
/// `PolicyDecider` as the control loop runs it.
@Suite struct ObjectiveSizerTests {
    let t0 = Timestamp(seconds: 1_000)

    /// Two replicas, prompts always waiting, 6,000 prompt tokens a second between them: each
    /// carries 3,000 a second at its limit (once the count has held `settleSeconds`).
    @Test func capacityOfASaturatedReplica() {
        var c = CapacityEstimator()
        for _ in 0...(CapacityEstimator.settleSeconds + CapacityEstimator.saturatedSeconds) {
            c.observe(processedTokens: 6000, waiting: 4, running: 20, kvUse: 0.5, kvCapacityTokens: 100_000, readyPods: 2)
        }
        #expect(c.isSaturatedEstimate)
        #expect(c.prefillTokensPerSecond == 3000)
        #expect(c.sequencesPerReplica == 10)
        #expect(c.kvCacheTokensPerReplica == 100_000)
    }

    /// Two replicas saturated at 3,000 tokens a second each; two more become ready and, queue
    /// still full, the four show only 6,000 for the first seconds (the new ones' prefills have
    /// not finished). Those seconds do not count; once the count has held, four at 12,000 is 3,000 each.
    @Test func secondsAfterTheFleetChangesDoNotCount() {
        var c = CapacityEstimator()
        for _ in 0...(CapacityEstimator.settleSeconds + CapacityEstimator.saturatedSeconds) {
            c.observe(processedTokens: 6000, waiting: 8, running: 20, kvUse: 0.5, kvCapacityTokens: nil, readyPods: 2)
        }
        for _ in 0..<CapacityEstimator.settleSeconds {
            c.observe(processedTokens: 6000, waiting: 8, running: 40, kvUse: 0.5, kvCapacityTokens: nil, readyPods: 4)
        }
        #expect(c.prefillTokensPerSecond == 3000, "1,500 a replica while the new ones warm up is not their limit")
        for _ in 0..<CapacityEstimator.saturatedSeconds {
            c.observe(processedTokens: 12_000, waiting: 8, running: 40, kvUse: 0.5, kvCapacityTokens: nil, readyPods: 4)
        }
        #expect(c.prefillTokensPerSecond == 3000)
    }

    /// Once replicas were seen at their limit, a busier quiet spell does not raise the estimate:
    /// two replicas saturated at 3,000 tokens a second each, then 30 s with nothing waiting at
    /// 8,000 between them (4,000 each, the busiest 30 s rate seen). The estimate stays 3,000: on
    /// Azure conversation × 70 B, raising it to the busiest rate seen cut the replica-seconds by a
    /// third but more than tripled the share over the objective (docs/simulation.md).
    @Test func aBusierQuietSpellKeepsTheSaturatedRate() {
        var c = CapacityEstimator()
        for _ in 0...(CapacityEstimator.settleSeconds + CapacityEstimator.saturatedSeconds) {
            c.observe(processedTokens: 6000, waiting: 4, running: 20, kvUse: 0.5, kvCapacityTokens: nil, readyPods: 2)
        }
        #expect(c.prefillTokensPerSecond == 3000)
        for _ in 0..<CapacityEstimator.busiestSeconds {
            c.observe(processedTokens: 8000, waiting: 0, running: 20, kvUse: 0.5, kvCapacityTokens: nil, readyPods: 2)
        }
        #expect(c.busiestTokensPerSecond == 4000)
        #expect(c.isSaturatedEstimate && c.prefillTokensPerSecond == 3000)
    }

    /// Replicas that never queue: the probe starts at twice the busiest rate (2,000 → 4,000) and
    /// doubles after each quiet span (30 s here) to 8,000 and 16,000, no further (8×); a queue
    /// (here one held by a full KV cache, which teaches no prefill rate) stops the doubling but
    /// keeps the factor.
    @Test func theProbeDoublesWhileNothingQueues() {
        var c = CapacityEstimator()
        c.probeSpanSeconds = 30
        func second(_ waiting: Double) {
            c.observe(processedTokens: 2000, waiting: waiting, running: 1, kvUse: waiting > 0 ? 0.95 : 0.1, kvCapacityTokens: nil, readyPods: 1)
        }
        for _ in 0..<29 { second(0) }
        #expect(c.prefillTokensPerSecond == nil, "29 s: no 30 s rate yet")
        second(0)
        #expect(c.busiestTokensPerSecond == 2000)
        #expect(c.probeFactor == 4 && c.prefillTokensPerSecond == 8000, "the 30th quiet second ends the first span")
        for _ in 0..<29 { second(3) }
        #expect(c.probeFactor == 4, "a queue holds the factor")
        for _ in 0..<30 { second(0) }
        #expect(c.prefillTokensPerSecond == 16_000)
        for _ in 0..<90 { second(0) }
        #expect(c.probeFactor == 8 && !c.isSaturatedEstimate)
    }

    /// Lumpy counters (a long prompt counted in the second its prefill ends) are read as a rate
    /// over several seconds: 30 s of 0, 0, …, 60,000 on one replica is 2,000 a second, a lower
    /// bound; the estimate probes at twice it.
    @Test func unsaturatedReplicasGiveALowerBound() {
        var c = CapacityEstimator()
        for i in 0..<CapacityEstimator.busiestSeconds {
            c.observe(processedTokens: i == CapacityEstimator.busiestSeconds - 1 ? 60_000 : 0, waiting: 0, running: 1, kvUse: 0.1,
                      kvCapacityTokens: nil, readyPods: 1)
        }
        #expect(!c.isSaturatedEstimate)
        #expect(c.busiestTokensPerSecond == 2000)
        #expect(c.prefillTokensPerSecond == 4000)
        #expect(c.sequencesPerReplica == nil)
    }

    /// A full KV cache, not the sequence cap, holds the waiting requests: no sequence limit is learned.
    @Test func aFullCacheTeachesNoSequenceCap() {
        var c = CapacityEstimator()
        for _ in 0..<3 { c.observe(processedTokens: 100, waiting: 5, running: 7, kvUse: 0.97, kvCapacityTokens: nil, readyPods: 1) }
        #expect(c.sequencesPerReplica == nil)
    }

    /// 1,000 prompt tokens processed a second from 2 requests a second (a 500-token prompt),
    /// and 2 more requests waiting every second: 1,000 + 2 × 500 = 2,000 tokens arrive a second.
    @Test func demandIsProcessedPlusQueueGrowth() {
        var d = DemandEstimator(historySeconds: 600)
        for i in 0..<20 {
            d.observe(processedTokens: 1000, requests: 2, waiting: Double(2 * i), running: 4, kvHeldTokens: 10_000)
        }
        #expect(d.meanPromptTokens == 500)
        #expect(d.seconds.last?.promptTokens == 2000)
        #expect(d.queuedTokens == 19 * 2 * 500)
        // KV in flight: what the cache holds plus the prompts waiting for it.
        #expect(abs((d.seconds.last?.kvTokens ?? 0) - 29_000) < 1e-6)
        #expect(d.seconds.last?.sequences == 4)
        #expect(d.mean(lastSeconds: 5) == 2000)
    }

    /// A request that waits (500 tokens), is admitted the next second (the waiting count drops,
    /// nothing is processed yet) and finishes its prefill the second after: 500 tokens arrived, once.
    @Test func anAdmittedPromptIsNotCountedTwice() {
        var d = DemandEstimator(historySeconds: 600)
        d.observe(processedTokens: 500, requests: 1, waiting: 0, running: 1, kvHeldTokens: nil)  // learns a 500-token prompt
        d.observe(processedTokens: 0, requests: 0, waiting: 1, running: 1, kvHeldTokens: nil)    // one arrives and waits
        d.observe(processedTokens: 0, requests: 0, waiting: 0, running: 2, kvHeldTokens: nil)    // admitted
        d.observe(processedTokens: 500, requests: 0, waiting: 0, running: 2, kvHeldTokens: nil)  // prefill done
        #expect(d.seconds.map(\.promptTokens) == [500, 500, 0, 0])
    }

    /// The gateway's report goes with the scrape before it: 10 requests held there and 2 in the
    /// runtime's queue are 12 waiting, 12 × the 500-token prompt = 6,000 tokens queued.
    @Test func requestsHeldAtTheGatewayWait() {
        var sizer = ObjectiveSizer(spec: ObjectiveSpec(ttftSeconds: 2), now: t0)
        sizer.record(SignalSample([.promptTokensPerSecond: 1000, .rps: 2, .queueDepth: 2, .running: 4, .concurrency: 6]))
        sizer.record(SignalSample([.concurrency: 10]))
        let estimate = sizer.evaluate(pods: PodCounts(ready: 1), at: t0.adding(seconds: 1))
        #expect(estimate?.queuedTokens == 6000)
    }

    /// The wait the forecast allows: a replica learned at 3,000 prompt tokens a second and a
    /// 500-token mean prompt leave 2 − 4 × 500 / 3,000 = 1.33 s of a 2 s objective; 1,500-token
    /// prompts would leave nothing, and the floor, 0.15 × 2 = 0.3 s, holds.
    @Test(arguments: [(500.0, 2.0 - 4.0 * 500 / 3000), (1500.0, 0.3)])
    func queueingAllowanceFromTheLearnedPrefill(prompt: Double, allowance: Double) throws {
        var sizer = ObjectiveSizer(spec: ObjectiveSpec(ttftSeconds: 2), now: t0)
        var estimate: ObjectiveEstimate?
        for s in 0...(CapacityEstimator.settleSeconds + CapacityEstimator.saturatedSeconds) {
            sizer.record(SignalSample([.promptTokensPerSecond: 6000, .rps: 6000 / prompt, .queueDepth: 4, .running: 20,
                                       .kvCacheUtilization: 0.2, .concurrency: 24]))
            estimate = sizer.evaluate(pods: PodCounts(ready: 2), at: t0.adding(seconds: Double(s)))
        }
        let e = try #require(estimate)
        #expect(e.capacitySource == "saturated" && e.capacityTokensPerSecond == 3000)
        #expect(abs((e.queueingAllowanceSeconds ?? 0) - allowance) < 1e-9)
    }

    /// The fluid queue: the least capacity at which the quantile of tokens is served within the objective.
    @Test(arguments: [
        // 10 tokens over one second: at L = 5 the backlog (10 − 5)τ stays within 5 × 1 all second.
        ([10.0, 0, 0, 0], 1.0, 1.0, 5.0),
        // The backlog (10 − L)τ passes L × 0.5 at τ* = 0.5 L / (10 − L); half on time at τ* = 0.5: L = 5.
        ([10.0, 0, 0, 0], 0.5, 0.5, 5.0),
        // 4 a second for 4 s: the backlog (4 − L)t stays within L × 1 for all 4 s from L = 3.2.
        ([4.0, 4, 4, 4], 1.0, 1.0, 3.2),
        ([0.0, 0], 1.0, 0.95, 0.0),
    ])
    func fluidCapacity(arrivals: [Double], objective: Double, q: Double, expected: Double) {
        #expect(abs(DemandEstimator.fluidCapacity(arrivals, objectiveSeconds: objective, quantile: q) - expected) < 1e-6)
    }

    /// A steady 1,000 tokens a second for 100 s then 3,000 for 100 s: the trend carries the
    /// rise one span ahead (3,000 + (3,000 − 1,000)).
    @Test func aRisingTrendIsCarriedOneColdStartAhead() {
        var d = DemandEstimator(historySeconds: 600)
        for i in 0..<200 { d.observe(processedTokens: i < 100 ? 1000 : 3000, requests: 1, waiting: 0, running: 1, kvHeldTokens: nil) }
        #expect(d.forecast(quantile: 0.95, objectiveSeconds: 2, aheadSeconds: 100) == 5000)
        // Without a trend (a look-ahead past the history) it is the fluid level: 95 % of 400,000
        // tokens on time needs nearly the 3,000 a second of the second half.
        let level = d.forecast(quantile: 0.95, objectiveSeconds: 2, aheadSeconds: 1000)
        #expect(level > 2800 && level <= 3000)
    }

    /// A pod created at t0 and ready 90 s later measures a 90 s cold start; before any is
    /// measured the prior holds; a pod ready before the estimator started is not measured.
    @Test func coldStartFromPodEvents() {
        var c = ColdStartEstimator(priorSeconds: 120, since: t0)
        #expect(c.seconds == 120 && !c.isMeasured)
        c.observe([PodStartup(createdAt: t0.adding(seconds: -500), readyAt: t0.adding(seconds: -400))])
        #expect(!c.isMeasured)
        let started = PodStartup(createdAt: t0, readyAt: t0.adding(seconds: 90))
        c.observe([started])
        #expect(c.seconds == 90 && c.isMeasured)
        // Seen again on the next evaluation: measured once; the slowest recent start is planned with.
        c.observe([started, PodStartup(createdAt: t0.adding(seconds: 10), readyAt: t0.adding(seconds: 150))])
        #expect(c.measured == [90, 140])
        #expect(c.seconds == 140)
    }

    /// Through `PolicyDecider`: two saturated replicas at 3,000 tokens/s each, 9,000 tokens/s
    /// arriving (6,000 processed + queue growth of 6 requests of 500 tokens) → 3 replicas, and
    /// the count is held through a lull shorter than the measured cold start.
    @Test func objectivePolicyThroughTheDecider() {
        var spec = PolicySpec()
        spec.metrics = []
        spec.objective = ObjectiveSpec(ttftSeconds: 2, quantile: 0.95, historySeconds: 60, coldStartPriorSeconds: 100)
        spec.minReplicas = 1
        var d = PolicyDecider(spec: spec, target: "llm/m", readyPods: 2, now: t0)
        var last: DecisionRecord?
        for s in 0..<40 {
            var sample = SignalSample([.promptTokensPerSecond: 6000, .rps: 12, .queueDepth: Double(6 * s), .running: 20,
                                       .kvCacheUtilization: 0.2, .concurrency: 20])
            sample.kvCacheCapacityTokens = 1_000_000
            let now = t0.adding(seconds: Double(s))
            d.record(sample, at: now)
            if s % 2 == 1 { last = d.evaluate(pods: PodCounts(ready: 2), at: now) }
        }
        let record = try! #require(last)
        let estimate = try! #require(record.objective)
        #expect(estimate.capacitySource == "saturated")
        #expect(estimate.capacityTokensPerSecond == 3000)
        #expect(estimate.demandTokensPerSecond == 9000)
        #expect(estimate.prefillReplicas == 3)
        #expect(estimate.coldStartSeconds == 100 && !estimate.coldStartMeasured)
        #expect(record.valid && record.desired == 3)

        // A lull: nothing arrives, the queue empties; 60 s later (< the 100 s cold start) the count holds.
        for s in 40..<100 {
            let now = t0.adding(seconds: Double(s))
            d.record(SignalSample([.promptTokensPerSecond: 0, .rps: 0, .queueDepth: 0, .running: 0, .kvCacheUtilization: 0, .concurrency: 0]), at: now)
            if s % 2 == 1 { last = d.evaluate(pods: PodCounts(ready: 3), at: now) }
        }
        #expect(last?.desired == 3)
        #expect(last?.objective.map { $0.needed < $0.count } == true)
    }

    /// Before any sample the policy keeps the last decision (an invalid record), as a rule with no data does.
    @Test func noSampleNoDecision() {
        var spec = PolicySpec()
        spec.metrics = []
        spec.objective = ObjectiveSpec(ttftSeconds: 2)
        var d = PolicyDecider(spec: spec, readyPods: 1, now: t0)
        let r = d.evaluate(pods: PodCounts(ready: 1), at: t0)
        #expect(!r.valid && r.objective == nil)
    }
}
