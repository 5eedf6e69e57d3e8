import Testing
@testable import Scaling

@Suite struct DecideTraceTests {
    @Test func parsesRowsCommentsAndOptionalRps() throws {
        let trace = try DecideTrace(csv: "# a comment\ntime_s,concurrency,ready_pods,rps\n0,10,1,5\n\n2.5,20,2,0\r\n")
        #expect(trace.rows == [.init(time: 0, concurrency: 10, readyPods: 1, rps: 5), .init(time: 2.5, concurrency: 20, readyPods: 2, rps: 0)])
    }

    @Test(arguments: [
        ("time_s,concurrency\n0,1\n", 1, "missing column \"ready_pods\""),
        ("time_s,concurrency,ready_pods\n0,1\n", 2, "expected 3 fields"),
        ("time_s,concurrency,ready_pods\n0,1,1\n5,x,1\n", 3, "concurrency \"x\""),
        ("time_s,concurrency,ready_pods\n5,1,1\n4,1,1\n", 3, "goes back in time"),
        ("time_s,concurrency,ready_pods\n0,1,1.5\n", 2, "ready_pods"),
        ("time_s,concurrency,ready_pods\n0,-1,1\n", 2, "concurrency"),
        ("time_s,load,ready_pods\n", 1, "unknown column"),
        ("time_s,concurrency,ready_pods\n", 1, "no rows"),
        ("", 1, "empty trace"),
    ])
    func malformedTracesNameTheLine(csv: String, line: Int, message: String) {
        #expect {
            try DecideTrace(csv: csv)
        } throws: { error in
            let e = error as! DecideTrace.ParseError
            return e.line == line && e.message.contains(message)
        }
    }

    @Test func readyPodsAreOptionalWhenFollowingDecisions() throws {
        let trace = try DecideTrace(csv: "time_s,concurrency\n0,3\n", requireReadyPods: false)
        #expect(trace.rows.first?.readyPods == nil)
    }
}

@Suite struct DecideReplayTests {
    private func evaluations(_ csv: String, policy: KPAPolicy? = nil, options: DecideReplay.Options = .init()) throws -> [DecideReplay.Evaluation] {
        let replay = DecideReplay(policy: try policy ?? KPAPolicy(), options: options)
        var out: [DecideReplay.Evaluation] = []
        replay.run(try DecideTrace(csv: csv, requireReadyPods: options.followDesiredSeconds == nil)) { out.append($0) }
        return out
    }

    @Test func ticksEveryEvenSecondUntilTheDefaultDuration() throws {
        let e = try evaluations("time_s,concurrency,ready_pods\n0,70,1\n10,70,1\n")
        #expect(e.first?.time == 0)
        #expect(e.last?.time == 70)  // last row at 10 s + 60 s stable window
        #expect(e.allSatisfy { $0.event == .tick && $0.time % 2 == 0 })
        #expect(e.allSatisfy { $0.result.desiredPodCount == 1 })
    }

    @Test func latestDesiredIsMinusOneBeforeAnyValidDecision() throws {
        // No pods and no load: nothing is recorded, so every decision is invalid.
        let e = try evaluations("time_s,concurrency,ready_pods\n0,0,0\n", options: .init(durationSeconds: 10))
        #expect(e.allSatisfy { !$0.result.isValid && $0.latestDesired == -1 && $0.result.desiredPodCount == -1 })
    }

    @Test func loadArrivingAtZeroIsEvaluatedAtOnceOnOddSeconds() throws {
        // Pods at 1 with no load decide 0; then the revision has no pods and load arrives at 31.
        let csv = "time_s,concurrency,ready_pods\n0,0,1\n20,0,0\n31,10,0\n"
        let e = try evaluations(csv, options: .init(durationSeconds: 40))
        let poke = try #require(e.first { $0.event == .poke })
        #expect(poke.time == 31)
        #expect(poke.result.desiredPodCount == 1)
        #expect(poke.latestDesired == 1)
        // Only one poke: the decision is no longer 0 afterwards.
        #expect(e.filter { $0.event == .poke }.count == 1)
    }

    @Test func stableWindowWithoutDataKeepsTheLastDecision() throws {
        // Load, then the pods disappear and nothing reports for more than a window.
        let csv = "time_s,concurrency,ready_pods\n0,140,2\n10,0,0\n"
        let e = try evaluations(csv, options: .init(durationSeconds: 100))
        // The last record is at 9 s: at 68 s it is 59 s old, at 70 s 61 s — more than a window.
        let at68 = try #require(e.first { $0.time == 68 })
        #expect(at68.result.isValid)
        let at70 = try #require(e.first { $0.time == 70 })
        #expect(!at70.result.isValid)
        #expect(at70.result.desiredPodCount == -1)
        #expect(at70.latestDesired == at68.latestDesired)
        #expect(at70.latestDesired >= 0)
    }

    @Test func perPodValuesAreMultipliedByReadyPods() throws {
        let e = try evaluations("time_s,concurrency,ready_pods\n0,35,4\n", options: .init(perPod: true, durationSeconds: 0))
        #expect(e[0].concurrency == 140)
        #expect(e[0].result.details?.observation.stable == 140)
    }

    @Test func initialReadyAboveOneStartsInPanic() throws {
        let e = try evaluations("time_s,concurrency,ready_pods\n0,0,4\n", options: .init(initialReady: 4, durationSeconds: 4))
        #expect(e.allSatisfy { $0.inPanic && $0.result.desiredPodCount == 4 })
    }

    @Test func followDesiredScalesDownAtOnceAndUpAfterTheDelay() throws {
        // 350 requests with target 70: 5 pods wanted from the first tick.
        let e = try evaluations("time_s,concurrency\n0,350\n", options: .init(followDesiredSeconds: 10, durationSeconds: 20))
        #expect(e.first { $0.time == 0 }?.readyPods == 1)    // initial scale
        #expect(e.first { $0.time == 8 }?.readyPods == 1)    // not yet: decision at 0 + 10 s
        #expect(e.first { $0.time == 10 }?.readyPods == 5)
        // Scale-down is immediate: a drop in load lowers ready pods the second after the decision.
        let down = try evaluations("time_s,concurrency\n0,0\n", options: .init(followDesiredSeconds: 10, initialReady: 1, durationSeconds: 4))
        #expect(down.first { $0.time == 0 }?.latestDesired == 0)
        #expect(down.first { $0.time == 2 }?.readyPods == 0)
    }
}
