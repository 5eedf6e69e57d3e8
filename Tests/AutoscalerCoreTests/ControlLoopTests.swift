import Foundation
import Testing
@testable import AutoscalerCore
import LoopTestKit
import MetricsTestKit
import Rules
import Scaling

@Suite struct ControlLoopTests {
    private func loop(_ discovery: MemoryDiscovery, _ source: MemorySource, _ actuator: RecordingActuator,
                      rules: RuleSet = .empty, leadership: Leadership = SoleLeader(), dryRun: Bool = false,
                      log: DecisionLog? = nil) throws -> ControlLoop {
        ControlLoop(configuration: .init(dryRun: dryRun), rules: rules, discovery: discovery, source: source,
                    actuator: actuator, leadership: leadership, log: try log ?? DecisionLog(path: nil))
    }

    /// Runs scrape ticks every second and decide ticks every even second over [from, to].
    private func run(_ loop: ControlLoop, from: Int64, to: Int64) async {
        for s in from...to {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
    }

    @Test func loadStepIsPatchedWithinOneTick() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator()
        let l = try loop(discovery, source, actuator)
        await source.set("llm/chat", SignalSample([.concurrency: 10]))
        await run(l, from: 0, to: 20)
        #expect(await actuator.calls.isEmpty)
        // 700 requests in flight against 70 per pod: the first decide tick after the step scales up.
        await source.set("llm/chat", SignalSample([.concurrency: 700]))
        await l.scrape(at: Timestamp(seconds: 21))
        await l.scrape(at: Timestamp(seconds: 22))
        await l.decide(at: Timestamp(seconds: 22))
        let calls = await actuator.calls
        #expect(calls.count == 1)
        #expect(calls.first?.target == "llm/chat")
        #expect((calls.first?.replicas ?? 0) > 1)
    }

    @Test func scalesToZeroAndBackThroughThePushEndpoint() async throws {
        let rules = try RuleFiles.load([RuleFiles.File(path: "r.yaml", text: """
            rules:
              - name: batch
                source: {push: true}
                policy:
                  scaleToZero: {gracePeriod: 10s}
            """)])
        let discovery = MemoryDiscovery([target("batch", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator()
        let l = try loop(discovery, source, actuator, rules: rules)
        await source.set("llm/batch", SignalSample([.concurrency: 0]))
        // Idle: the decider says 0 after its first data; the gate holds 1 for a stable window,
        // marks the target inactive, then lets it go once the activator has been in the path.
        var zeroAt: Int64?
        for s in Int64(0)...200 where zeroAt == nil {
            await l.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await l.decide(at: Timestamp(seconds: s)) }
            if await actuator.replicas.last == 0 {
                zeroAt = s
                await discovery.setReplicas("llm/batch", ready: 0, at: Timestamp(seconds: s))
            }
        }
        let at = try #require(zeroAt)
        #expect(at >= 60 && at <= 80)
        // A request arrives through the activator on an odd second: scaled up at once.
        await l.scrape(at: Timestamp(seconds: at + 1))
        try await l.push(target: "llm/batch", concurrency: 1, rps: 1, at: Timestamp(seconds: at + 1))
        #expect(await actuator.replicas.last == 1)
        await #expect(throws: PushError.unknownTarget("llm/nope")) {
            try await l.push(target: "llm/nope", concurrency: 1, rps: 1, at: Timestamp(seconds: at + 1))
        }
        await #expect(throws: PushError.self) {
            try await l.push(target: "llm/batch", concurrency: -1, rps: 0, at: Timestamp(seconds: at + 1))
        }
    }

    /// A forged report cannot ask for unbounded replicas: values above the target's push
    /// ceiling are refused before they reach the windows.
    @Test(arguments: [("policy: {maxReplicas: 3}", 300.0), ("policy: {maxReplicas: 0}", 10_000.0),
                      ("source: {push: true, pushCeiling: 25}\n    policy: {maxReplicas: 3}", 25.0)])
    func pushesAboveTheCeilingAreRefused(rule: String, ceiling: Double) async throws {
        let rules = try RuleFiles.load([RuleFiles.File(path: "r.yaml", text: "rules:\n  - name: batch\n    \(rule)\n")])
        let actuator = RecordingActuator()
        let l = try loop(MemoryDiscovery([target("batch", ready: 0)]), MemorySource(), actuator, rules: rules)
        await l.scrape(at: Timestamp(seconds: 0))
        #expect(await l.pushCeiling(for: "llm/batch") == ceiling)
        await #expect(throws: PushError.overCeiling(target: "llm/batch", value: ceiling * 2, ceiling: ceiling)) {
            try await l.push(target: "llm/batch", concurrency: ceiling * 2, rps: 0, at: Timestamp(seconds: 1))
        }
        await #expect(throws: PushError.self) {
            try await l.push(target: "llm/batch", concurrency: 0, rps: ceiling + 1, at: Timestamp(seconds: 1))
        }
        #expect(await actuator.replicas.isEmpty, "a refused push woke the target")
        try await l.push(target: "llm/batch", concurrency: ceiling, rps: 0, at: Timestamp(seconds: 1))
        #expect(await actuator.replicas.last ?? 0 >= 1)
    }

    @Test func followersAndDryRunsDoNotPatch() async throws {
        for (leadership, dryRun) in [(Follower() as Leadership, false), (SoleLeader() as Leadership, true)] {
            let discovery = MemoryDiscovery([target("chat", ready: 1)])
            let source = MemorySource()
            let actuator = RecordingActuator()
            let l = try loop(discovery, source, actuator, leadership: leadership, dryRun: dryRun)
            await source.set("llm/chat", SignalSample([.concurrency: 700]))
            await run(l, from: 0, to: 10)
            #expect(await actuator.calls.isEmpty)
            // But they decide, and keep their windows warm.
            #expect(await l.status().first?.desired ?? 0 > 1)
        }
    }

    @Test func aLeaseLostDuringATickStopsTheRestOfItsWrites() async throws {
        let discovery = MemoryDiscovery([target("a", ready: 1), target("b", ready: 1)])
        let source = MemorySource()
        let lease = LapsingLease()
        let actuator = LapsingActuator(lease: lease)
        // One write in flight: each write asks for the Lease just before it is sent.
        let l = ControlLoop(configuration: .init(writesInFlight: 1), rules: .empty, discovery: discovery, source: source,
                            actuator: actuator, leadership: lease, log: try DecisionLog(path: nil))
        await source.set("llm/a", SignalSample([.concurrency: 700]))
        await source.set("llm/b", SignalSample([.concurrency: 700]))
        await run(l, from: 0, to: 2)
        // The tick began as leader; the first write (llm/a, in key order) ended the Lease, so llm/b waits for a
        // replica that still leads.
        #expect(await actuator.written == ["llm/a"])
    }

    /// With K writes in flight, a Lease that ends during the first write stops every write that starts after it:
    /// at most the K already under way are made.
    @Test func aLeaseLostDuringConcurrentWritesStopsTheWritesNotYetStarted() async throws {
        let names = (0..<12).map { "t\($0)" }
        let discovery = MemoryDiscovery(names.map { target($0, ready: 1) })
        let source = MemorySource()
        let lease = LapsingLease()
        let actuator = LapsingActuator(lease: lease)
        let l = ControlLoop(configuration: .init(writesInFlight: 3), rules: .empty, discovery: discovery, source: source,
                            actuator: actuator, leadership: lease, log: try DecisionLog(path: nil))
        for name in names { await source.set("llm/\(name)", SignalSample([.concurrency: 700])) }
        await run(l, from: 0, to: 2)
        let written = await actuator.written
        #expect((1...3).contains(written.count), "\(written)")
    }

    /// A tick's writes go out together, up to `writesInFlight` at once: a fleet-wide step does not wait one API
    /// round trip per target. Every target is written once per tick.
    @Test func aTicksWritesAreMadeConcurrentlyUpToTheBound() async throws {
        let names = (0..<10).map { "t\($0)" }
        let discovery = MemoryDiscovery(names.map { target($0, ready: 1) })
        let source = MemorySource()
        let actuator = GatedActuator(opensAt: 4)
        let l = ControlLoop(configuration: .init(writesInFlight: 4), rules: .empty, discovery: discovery, source: source,
                            actuator: actuator, log: try DecisionLog(path: nil))
        for name in names { await source.set("llm/\(name)", SignalSample([.concurrency: 700])) }
        await run(l, from: 0, to: 2)
        #expect(await actuator.mostInFlight == 4)
        // Ticks 0 and 2 each write every target (this actuator does not report the new count back to discovery).
        let written = await actuator.written
        #expect(written.sorted() == (names + names).map { "llm/\($0)" }.sorted(), "\(written)")
        #expect(await actuator.gateTimedOut == false)
    }

    @Test func failedPatchesAreRetriedOnTheNextTick() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator(discovery: discovery)
        let l = try loop(discovery, source, actuator)
        await actuator.failing(2)
        await source.set("llm/chat", SignalSample([.concurrency: 700]))
        await run(l, from: 0, to: 6)
        let calls = await actuator.calls
        #expect(calls.count == 1)  // ticks 0 and 2 failed, tick 4 succeeded, 6 had nothing to change
    }

    /// A write that keeps failing the same way is logged once, not every tick; the error stays in the
    /// target's status while it lasts, and a success clears it (logged once more).
    @Test func aRepeatedPatchFailureIsLoggedOnceAndShownInStatus() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator(discovery: discovery)
        let logs = LogRecorder()
        let l = ControlLoop(configuration: .init(), rules: .empty, discovery: discovery, source: source, actuator: actuator,
                            log: try DecisionLog(path: nil), logger: logs.logger)
        await actuator.failing(5)
        await source.set("llm/chat", SignalSample([.concurrency: 700]))
        await run(l, from: 0, to: 8)   // decide ticks 0, 2, 4, 6, 8 all fail
        #expect(await actuator.calls.isEmpty)
        #expect(logs.messages.filter { $0 == "scale failed" }.count == 1, "\(logs.messages)")
        #expect(await l.status().first?.patchError != nil)
        await run(l, from: 9, to: 10)  // tick 10 succeeds
        #expect(await actuator.calls.count == 1)
        #expect(await l.status().first?.patchError == nil)
        #expect(logs.messages.filter { $0 == "scale writes succeed again" }.count == 1)
    }

    /// A target without a valid policy is not reported as panicking.
    @Test func aTargetWithoutAPolicyIsNotInPanic() async throws {
        var broken = target("chat", ready: 1)
        broken.description.annotations = ["autoscaling.knative.dev/window": "forever"]
        let discovery = MemoryDiscovery([broken])
        let l = try loop(discovery, MemorySource(), RecordingActuator(discovery: discovery))
        await run(l, from: 0, to: 4)
        let status = try #require(await l.status().first)
        #expect(status.policyError?.contains("window") == true)
        #expect(status.inPanic == false)
    }

    /// docs/metrics.md: `inferscale_desired_replicas` is `-1` until the first decision; a later tick without data
    /// (the windows emptied, every scrape failing) leaves the last decision, not `-1` (a fleet dashboard filtering
    /// `>= 0` would otherwise drop a decided target, and a warm-up check waiting for every target saw it undecided).
    @Test func desiredReplicasKeepsTheLastDecisionThroughATickWithoutData() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 2)])
        let source = MemorySource()
        let l = try loop(discovery, source, RecordingActuator())
        await l.scrape(at: Timestamp(seconds: 0))  // discovers the target; the source has nothing for it yet
        let noData = try #require(await l.decide(at: Timestamp(seconds: 0)).first)
        await source.set("llm/chat", SignalSample([.concurrency: 300]))
        await run(l, from: 1, to: 10)
        let decided = try #require(await l.decide(at: Timestamp(seconds: 10)).first)
        #expect(!noData.valid && decided.valid && decided.desired > 0)

        let backend = TestMetrics()
        var handles = TargetMetrics(target: "llm/chat", factory: backend)
        handles.decision(noData, actual: 2)
        #expect(try backend.expectGauge("inferscale_desired_replicas", [("target", "llm/chat")]).lastValue == -1)
        handles.decision(decided, actual: 2)
        handles.decision(noData, actual: 2)
        #expect(try backend.expectGauge("inferscale_desired_replicas", [("target", "llm/chat")]).lastValue == Double(decided.desired))
        #expect(try backend.expectCounter("inferscale_decisions_total", [("target", "llm/chat"), ("reason", "no-data")]).values.count == 2)
    }

    @Test func discoveryFailureKeepsTargetsAndDecisions() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 2)])
        let source = MemorySource()
        let actuator = RecordingActuator()
        let l = try loop(discovery, source, actuator)
        await source.set("llm/chat", SignalSample([.concurrency: 100]))
        await run(l, from: 0, to: 10)
        await discovery.failDiscovery(times: 5)
        await run(l, from: 11, to: 15)
        #expect(await l.status().map(\.target) == ["llm/chat"])
    }

    @Test func ruleReloadKeepsWindowHistory() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator()
        let l = try loop(discovery, source, actuator)
        await source.set("llm/chat", SignalSample([.concurrency: 140]))
        await run(l, from: 0, to: 30)
        let before = try #require(await l.decisions(for: "llm/chat").last)
        await l.apply(rules: try RuleFiles.load([RuleFiles.File(path: "r.yaml", text: "rules:\n  - name: all\n    policy:\n      maxReplicas: 5\n")]))
        let after = try #require(await l.decide(at: Timestamp(seconds: 32)).first)
        // The stable window still holds 30 s of 140: same value, now under the new rule.
        #expect(after.inputs.first?.stable == before.inputs.first?.stable)
        #expect(await l.status().first?.rule == "all")
    }

    @Test func decisionLogWritesOneLinePerChange() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("decisions-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let discovery = MemoryDiscovery([target("chat", ready: 1)])
        let source = MemorySource()
        let actuator = RecordingActuator()
        let l = try loop(discovery, source, actuator, log: try DecisionLog(path: path))
        await source.set("llm/chat", SignalSample([.concurrency: 60]))
        await run(l, from: 0, to: 20)
        await source.set("llm/chat", SignalSample([.concurrency: 300]))
        await run(l, from: 21, to: 30)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let desired = try lines.map { try JSONDecoder().decode(DecisionRecord.self, from: Data($0.utf8)).desired }
        #expect(desired.count >= 2)
        #expect(desired.count < 10)  // only changes, not every tick
        #expect(zip(desired, desired.dropFirst()).allSatisfy { $0 != $1 })
    }
}

/// A Lease that lapses while a tick is under way.
private actor LapsingLease: Leadership {
    private(set) var isLeader = true
    func lapse() { isLeader = false }
}

/// Holds every write until `opensAt` are in flight together (or 10 s pass: then `gateTimedOut`), and counts the
/// most in flight at once.
private actor GatedActuator: ScaleActuator {
    let opensAt: Int
    private(set) var written: [String] = []
    private(set) var mostInFlight = 0
    private(set) var gateTimedOut = false
    private var inFlight = 0
    private var open = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    init(opensAt: Int) { self.opensAt = opensAt }
    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        inFlight += 1
        mostInFlight = max(mostInFlight, inFlight)
        if inFlight >= opensAt { openGate() }
        if !open {
            Task { try? await Task.sleep(for: .seconds(10)); self.timeOut() }
            await withCheckedContinuation { waiting.append($0) }
        }
        written.append(target.key)
        inFlight -= 1
    }
    private func openGate() {
        open = true
        for c in waiting { c.resume() }
        waiting = []
    }
    private func timeOut() {
        guard !open else { return }
        gateTimedOut = true
        openGate()
    }
}

/// Records each write, and the Lease lapses as the first one lands.
private actor LapsingActuator: ScaleActuator {
    let lease: LapsingLease
    private(set) var written: [String] = []
    init(lease: LapsingLease) { self.lease = lease }
    func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        written.append(target.key)
        await lease.lapse()
    }
}
