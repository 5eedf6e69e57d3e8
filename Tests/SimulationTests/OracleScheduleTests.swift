import Testing
@testable import Simulation

/// The clairvoyant schedule on cases small enough to work out by hand, and the objective
/// policy and the oracle replayed end to end.
@Suite struct OracleScheduleTests {
    /// Steps cost 1 ms per prompt token and 10 ms per decoding sequence, nothing else: a full
    /// budget of 1,000 prompt tokens costs 1 s (1 ms a token), a full batch of 10 sequences
    /// 0.1 s (10 ms an output token), a single-sequence decode step 10 ms.
    static let profile = ModelProfile(
        name: "toy", kind: .llm(.init(stepTime: StepTime(baseSeconds: 0, perPrefillTokenSeconds: 0.001, perDecodeSequenceSeconds: 0.01),
                                      maxNumBatchedTokens: 1000, maxNumSeqs: 10, gpuBlocks: 1000, maxModelLen: 16_000)),
        coldStartSeconds: 2, coldStartCV: 0.1, gpusPerReplica: 1, concurrencyTarget: 1, ttftObjectiveSeconds: 1)

    /// One request at t = 5 s with 2,000 prompt and 100 output tokens: 2 + 1 = 3 replica-seconds
    /// of work due within the 1 s objective → 3 replicas at second 5; 2,100 KV tokens in flight
    /// (7 such requests fill 16,000, a 70 ms step: 7 s in flight) fit one replica. Replicas start one cold start ahead:
    /// 2 s × (1 + 2 × 0.1) = 2.4, rounded up to 3 s, so seconds 2–5 ask for 3.
    @Test func oneRequestByHand() {
        let counts = OracleSchedule.counts([TraceRequest(time: 5.2, promptTokens: 2000, outputTokens: 100)], profile: Self.profile,
                                           objectiveSeconds: 1, coldStartSeconds: 2, duration: 10)
        #expect(counts == [1, 1, 3, 3, 3, 3, 1, 1, 1, 1, 1])
    }

    /// The KV cache as the limit: 20 requests of 1,000 + 1,000 tokens arriving at t = 0 hold
    /// 40,000 tokens; a replica's 16,000 fit 8 such requests, whose decode step takes 8 × 10 ms,
    /// so each is in flight 1,000 × 80 ms = 80 s → 3 replicas from second 1 to the end (12 s),
    /// while their work (20 × (1 + 10) s) alone asks for 220 in second 0.
    @Test func kvCacheByHand() {
        let requests = (0..<20).map { _ in TraceRequest(time: 0, promptTokens: 1000, outputTokens: 1000) }
        let counts = OracleSchedule.counts(requests, profile: Self.profile, objectiveSeconds: 1, coldStartSeconds: 0, duration: 12)
        #expect(counts[0] == 220)
        #expect(Array(counts[1...]) == Array(repeating: 3, count: 12))
    }

    /// Why the oracle is a reference and not a lower bound, on a case solved by hand: two
    /// requests of 600 prompt tokens and one output token at t = 5.0 and 5.9 s. One replica
    /// serves each in a 0.6 s step, the second after the first is done: both within the 1 s
    /// objective, for the 10 replica-seconds of the span. The oracle puts both in second 5's
    /// window, 2 × (0.6 + 0.01) = 1.22 s of work that its rule wants done within that one
    /// second, and so asks for a second replica over seconds 2–5 (its 3 s lead): it spends about
    /// 4 replica-seconds more than a schedule that meets the objective for every request.
    @Test func theWindowRuleAsksMoreThanTheDeadlinesNeed() async throws {
        let requests = [TraceRequest(time: 5.0, promptTokens: 600, outputTokens: 1), TraceRequest(time: 5.9, promptTokens: 600, outputTokens: 1)]
        let counts = OracleSchedule.counts(requests, profile: Self.profile, objectiveSeconds: 1, coldStartSeconds: 2, duration: 10)
        #expect(counts == [1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 1])
        var c = SimulationConfiguration(trace: Trace(requests: requests, duration: 10), profile: Self.profile, policies: [.fixed(1), .oracle])
        c.keepSeries = false
        let results = await Simulator.run(c).results
        let (one, oracle) = (results[0], results[1])
        #expect(one.completed == 2 && oracle.completed == 2)
        #expect(one.overObjectiveShare == 0)
        #expect(abs(one.ttftP99 - 0.6) < 0.05)
        #expect(oracle.overObjectiveShare == 0)
        #expect(oracle.replicaSeconds > one.replicaSeconds + 3, "oracle \(oracle.replicaSeconds), one replica \(one.replicaSeconds)")
    }

    /// Two replays of the same configuration give the same results, figure for figure, and the
    /// report carries the ratio to the oracle for every policy.
    @Test func objectiveAndOracleAreDeterministic() async {
        let requests = (0..<600).map { i in
            TraceRequest(time: Double(i) * 0.5 + (i % 40 < 10 ? 0 : 0.25), promptTokens: 1500 + (i % 7) * 300, outputTokens: 100 + i % 50)
        }
        let trace = Trace(requests: requests, duration: 300)
        var c = SimulationConfiguration(trace: trace, profile: .llama70B, policies: [
            .kpa, .rule(ObjectivePolicy.rule(ttftSeconds: 2, quantile: 0.95)), .oracle,
        ])
        c.keepSeries = false
        let a = await Simulator.run(c)
        let b = await Simulator.run(c)
        #expect(a.results == b.results)
        #expect(a.results.map(\.policy) == ["kpa", "objective", "oracle"])
        #expect(a.results.allSatisfy { $0.replicaSecondsVsOracle != nil })
        #expect(a.results[2].replicaSecondsVsOracle == 1)
        #expect(a.results[1].completed == requests.count)
    }

    /// The start every replay but `fixed-N` gets is the oracle's count at second 0: with the toy
    /// profile's 3 s lead, a request at 2.2 s with 3 replica-seconds of work due within the 1 s
    /// objective (as in `oneRequestByHand`) is inside it, so the replay starts with 3; the same
    /// request at 5.2 s is not, so 1. Only the arrivals of the lead and one objective after it
    /// are read, which gives the count of the whole schedule.
    @Test func theStartIsTheOraclesFirstCount() {
        func start(_ time: Double) -> Int {
            let requests = [TraceRequest(time: time, promptTokens: 2000, outputTokens: 100), TraceRequest(time: 40, promptTokens: 9000, outputTokens: 1)]
            let whole = OracleSchedule.counts(requests, profile: Self.profile, objectiveSeconds: 1, coldStartSeconds: 2, duration: 50)
            let first = Simulator.startingReplicas(requests, profile: Self.profile, objectiveSeconds: 1, coldStartSeconds: 2, duration: 50)
            #expect(first == whole[0])
            return first
        }
        #expect(start(2.2) == 3)
        #expect(start(5.2) == 1)
    }

    /// kpa, hpa and the oracle start the replay with the same ready replicas (3 here, the
    /// oracle's first count), `fixed-1` with its one.
    @Test func everyPolicyButFixedStartsTheSame() async {
        let requests = [TraceRequest(time: 2.2, promptTokens: 2000, outputTokens: 100)]
        let c = SimulationConfiguration(trace: Trace(requests: requests, duration: 10), profile: Self.profile,
                                        policies: [.kpa, .hpa, .oracle, .fixed(1)])
        let report = await Simulator.run(c)
        #expect(report.series.map { $0.first?.ready } == [3, 3, 3, 1])
    }
}
