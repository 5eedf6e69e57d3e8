import Rules
import Scaling
import Testing
@testable import Simulation

/// Whole replays through the real control loop on the simulated clock.
@Suite struct SimulatorTests {
    static let profile = ClusterModelTests.predictive(slots: 4, cold: 20)

    /// Ten quiet minutes, a one-minute step to 20 requests/s, quiet again.
    static func stepTrace() -> Trace {
        var requests: [TraceRequest] = []
        for s in 0..<600 {
            let rate = (200..<260).contains(s) ? 20 : 1
            for k in 0..<rate { requests.append(TraceRequest(time: Double(s) + Double(k) / Double(rate), serviceSeconds: 1)) }
        }
        return Trace(requests: requests, duration: 600)
    }

    static func rule(_ yaml: String) throws -> Rule {
        try #require(try RuleFiles.load([RuleFiles.File(path: "test.yaml", text: yaml)]).rules.first)
    }

    @Test func kpaScalesUpForAStepAndBackDown() async {
        var c = SimulationConfiguration(trace: Self.stepTrace(), profile: Self.profile, policies: [.kpa, .hpa])
        c.baselineConcurrencyTarget = 2
        let report = await Simulator.run(c)
        let kpa = report.results[0]
        #expect(kpa.policy == "kpa")
        #expect(kpa.requests == 600 - 60 + 1200)
        #expect(kpa.completed + kpa.failed + kpa.unfinished == kpa.requests)
        #expect(kpa.failed == 0)
        // 20 requests/s of 1 s each is 20 in flight: 10 pods at 2 per pod; the step is seen
        // within a tick or two, so pods are asked for long before it ends.
        let series = report.series[0]
        #expect(series[215].replicas >= 8)
        #expect(series[599].replicas <= 2)
        #expect(kpa.coldStarts >= 7)
        #expect(kpa.replicaSecondsVsKPA == 1)
        // The HPA syncs every 15 s and holds scale-downs for 300 s: still up at the end.
        let hpa = report.results[1]
        #expect(report.series[1][559].replicas > series[559].replicas)
        #expect(hpa.completed + hpa.failed + hpa.unfinished == hpa.requests)
        // KPA counts what the gateway holds while pods start, so it asks for more than the
        // step's steady 10 pods (Knative does the same with the activator's reports).
        #expect(series.map(\.replicas).max()! > 10)
    }

    @Test func theSameInputsGiveTheSameReport() async throws {
        let trace = try BundledTrace.read().window(from: 0, to: 240, speed: 1)
        let rule = try Self.rule("""
            rules:
              - name: tokens
                match: {namespace: llm}
                source: {runtime: vllm}
                policy:
                  metrics:
                    - {signal: queue-depth, target: 4}
                    - {signal: prompt-tokens-per-second, target: 3000}
                  maxReplicas: 12
            """)
        let c = SimulationConfiguration(trace: trace, profile: .llama70B, policies: [.kpa, .rule(rule)])
        let a = await Simulator.run(c)
        let b = await Simulator.run(c)
        #expect(a.results == b.results)
        #expect(a.series == b.series)
        #expect(a.results[1].policy == "tokens")
        #expect(a.results[1].requests == trace.requests.count)
    }

    @Test func scaleToZeroAndBackThroughTheGateway() async throws {
        // Work at 0–30 s, nothing until 400 s, work again: the rule scales to zero in between
        // and the gateway's reports (the push port) wake it.
        var requests: [TraceRequest] = []
        for s in stride(from: 0.0, to: 30, by: 0.5) { requests.append(TraceRequest(time: s, serviceSeconds: 0.5)) }
        for s in stride(from: 400.0, to: 430, by: 0.5) { requests.append(TraceRequest(time: s, serviceSeconds: 0.5)) }
        let rule = try Self.rule("""
            rules:
              - name: to-zero
                match: {namespace: batch}
                policy:
                  metrics: [{signal: concurrency, target: 2}]
                  minReplicas: 0
                  window: 30s
                  scaleToZero: {enabled: true, gracePeriod: 30s, podRetention: 0s}
            """)
        let c = SimulationConfiguration(trace: Trace(requests: requests, duration: 460), profile: Self.profile, policies: [.rule(rule)])
        let report = await Simulator.run(c)
        let r = report.results[0]
        #expect(r.secondsAtZero > 200)
        #expect(r.failed == 0 && r.completed == requests.count)
        // The first request after the pause waited for a cold start (20 s).
        #expect(r.ttftP99 >= 15)
        #expect(r.coldStarts >= 1)
    }

    @Test func hpaFollowsTheKubernetesAlgorithm() {
        var hpa = HPAController(target: 10)
        // 25 per pod on 2 pods: ceil(2 × 2.5) = 5.
        hpa.record(concurrency: 50)
        #expect(hpa.decide(now: 0, current: 2, ready: 2) == 5)
        // Between syncs nothing changes.
        hpa.record(concurrency: 5)
        #expect(hpa.decide(now: 10, current: 5, ready: 5) == nil)
        // Within 10 % of the target: no change.
        hpa.record(concurrency: 52)
        #expect(hpa.decide(now: 15, current: 5, ready: 5) == 5)
        // Lower load: the highest recommendation of the last 300 s holds.
        hpa.record(concurrency: 10)
        #expect(hpa.decide(now: 30, current: 5, ready: 5) == 5)
        hpa.record(concurrency: 10)
        #expect(hpa.decide(now: 400, current: 5, ready: 5) == 1)
        // Scale-up is limited to max(2×, +4) per sync.
        hpa.record(concurrency: 1000)
        #expect(hpa.decide(now: 415, current: 1, ready: 1) == 5)
    }

    @Test func reportArithmetic() {
        #expect(Statistics.percentile([], 99) == 0)
        #expect(Statistics.percentile([5, 1, 4, 2, 3], 50) == 3)
        #expect(Statistics.percentile(Array(1...100).map(Double.init), 99) == 99)
        #expect(Statistics.percentile(Array(1...100).map(Double.init), 95) == 95)
        // Selection gives what a sort gives, duplicates included.
        var rng = SeededRandom(seed: 3)
        for n in [1, 2, 7, 1000] {
            var values = (0..<n).map { _ in (rng.unit() * 20).rounded() }
            let sorted = values.sorted()
            let expected = [0.0, 50, 95, 99, 100].map { p in sorted[min(n - 1, max(0, Int((p / 100 * Double(n)).rounded(.up)) - 1))] }
            #expect(Statistics.percentiles(&values, [0, 50, 95, 99, 100]) == expected)
        }
        // Up at 0, down at 30 (a flap in a 60 s window), up at 200 (not), down at 210 (a flap).
        let events = [(0.0, 1, 3), (30, 3, 1), (200, 1, 2), (210, 2, 1)]
        #expect(Statistics.flaps(events.map { ($0.0, $0.1, $0.2) }, window: 60) == 2)
        #expect(Statistics.flaps(events.map { ($0.0, $0.1, $0.2) }, window: 5) == 0)
    }
}
