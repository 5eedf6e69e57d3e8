import Testing
@testable import Simulation

/// The `llama-70b-4xh100` replica against published measurements of a real one
/// (`Calibration.published`), replayed with the load's random arrivals and its prompts (a
/// shared-prefix set that the replica's prefix cache serves): the simulated means must land
/// within the tolerances the issue sets.
@Suite struct CalibrationTests {
    @Test(arguments: Calibration.published.indices)
    func theModelMatchesThePublishedMeasurements(_ index: Int) async {
        let o = await Calibration.replay(Calibration.published[index])
        let name = o.point.name
        #expect(abs(o.ttftRatio - 1) <= Calibration.ttftTolerance, "\(name): TTFT mean \(o.ttftMean) s against \(o.point.ttftMean) s")
        #expect(abs(o.e2eRatio - 1) <= Calibration.e2eTolerance, "\(name): e2e mean \(o.e2eMean) s against \(o.point.e2eMean) s")
        #expect(abs(o.throughputRatio - 1) <= Calibration.throughputTolerance,
                "\(name): \(o.outputTokensPerSecond) output tokens/s against \(o.point.outputTokensPerSecond)")
    }

    /// Without the prefix cache the same replica cannot hold the measured 20 requests/s: the
    /// measured server's speed rests on the cache hits the load was built to give.
    @Test func withoutThePrefixCacheTheReplicaFallsBehind() async {
        var point = Calibration.published[1]
        guard case .llm(var m) = point.profile.kind else { Issue.record("not an LLM profile"); return }
        m.enablePrefixCaching = false
        point.profile.kind = .llm(m)
        let o = await Calibration.replay(point, seeds: [1])
        #expect(o.ttftRatio > 10 && o.e2eRatio > 1.5)
    }

    /// The measured load's prompts, replayed on the replica: 100 prompts in turn, so once each
    /// has come once the cache holds all of it but the last partial block (35 of its 36 blocks,
    /// 560 of 575 tokens); a prompt's first time finds its group's system prompt (6 full
    /// blocks of its 106 tokens) when another question of the group came before. Nothing is
    /// evicted: 100 prompts take 3,600 of the 128,273 blocks.
    @Test func theMeasuredLoadHitsThePrefixCacheAsTheServerWould() {
        let point = Calibration.published[1]
        let requests = Calibration.requests(point, seed: 1).filter { $0.time < 60 }
        #expect(Set(requests.map(\.segments)).count == 100)
        #expect(Set(requests.map { $0.segments[0] }).count == 10)
        var c = ClusterModel(profile: point.profile, coldStartSeconds: 1, requestTimeout: 300, seed: 1,
                             requests: requests, initialReplicas: 1)
        c.advance(to: 90)
        #expect(c.completed == requests.count)
        let m = c.vllmMetrics()[0]
        #expect(m.prefixCacheQueriesTotal == requests.count * 575)
        #expect(m.prefixCacheHitsTotal == (requests.count - 100) * 560 + 90 * 96)
    }

    /// The arrivals are inference-perf's `constant` load: the stage's exact count, the last at
    /// its end, the same for the same seed, and gaps as irregular as a Poisson stream's
    /// (coefficient of variation near 1, where evenly spaced requests would give 0).
    @Test func arrivalsAreAPoissonStreamFillingTheStage() {
        let a = Calibration.arrivals(count: 12_000, seconds: 600, seed: 1)
        #expect(a.count == 12_000)
        #expect(abs(a.last! - 600) < 1e-6)
        #expect(a == Calibration.arrivals(count: 12_000, seconds: 600, seed: 1))
        #expect(zip(a, a.dropFirst()).allSatisfy { $0 <= $1 })
        let gaps = zip(a.dropFirst(), a).map { $0 - $1 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(mean - 0.05) < 0.001)
        #expect(abs(sd / mean - 1) < 0.05)
    }
}
