import Testing
@testable import Scaling

/// A small deterministic generator so property runs are repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct DeciderPropertyTests {
    /// Random load (with bursts and silences) and random ready pods through the real windows.
    private func run(seed: UInt64, spec: DeciderSpec, seconds: Int = 900, check: (ScaleResult, Int, Decider, Int32) -> Void) {
        var rng = SplitMix64(seed: seed)
        var windows = MetricCollection(stableWindowSeconds: spec.stableWindowSeconds, panicWindowSeconds: 6)
        var decider = Decider(spec: spec, readyPods: Int.random(in: 0...4, using: &rng), now: Timestamp(seconds: 0))
        var load = 0.0
        var ready = 1
        var silentUntil = -1
        var previous: Int32 = -1
        for s in 0..<seconds {
            if Int.random(in: 0..<20, using: &rng) == 0 { load = Double.random(in: 0...2000, using: &rng) }
            if Int.random(in: 0..<150, using: &rng) == 0 { silentUntil = s + Int.random(in: 1...150, using: &rng) }
            if Int.random(in: 0..<10, using: &rng) == 0 { ready = Int.random(in: 0...40, using: &rng) }
            let now = Timestamp(seconds: Int64(s))
            if s > silentUntil { windows.record(Stat(averageConcurrentRequests: load), at: now) }
            if s % 2 == 0 {
                let wasPanicking = decider.inPanic
                let result = decider.evaluate(readyPods: ready, observation: windows.observation(of: .concurrency, at: now), now: now)
                check(result, ready, decider, wasPanicking && decider.inPanic ? previous : -1)
                if result.isValid { previous = result.desiredPodCount }
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func neverScalesDownWhilePanicking(seed: UInt64) {
        run(seed: seed, spec: DeciderSpec()) { result, _, _, previousInPanic in
            if previousInPanic >= 0 && result.isValid {
                #expect(result.desiredPodCount >= previousInPanic)
            }
        }
    }

    @Test(arguments: [11, 12, 13, 14, 15, 16] as [UInt64])
    func stableDecisionsStayWithinTheRateLimits(seed: UInt64) {
        var s = DeciderSpec()
        s.maxScaleUpRate = 1.5
        s.maxScaleDownRate = 3
        run(seed: seed, spec: s) { result, ready, decider, _ in
            guard result.isValid, !decider.inPanic else { return }
            let r = Double(max(1, ready))
            #expect(Double(result.desiredPodCount) <= (1.5 * r).rounded(.up))
            #expect(Double(result.desiredPodCount) >= (r / 3).rounded(.down))
        }
    }

    @Test(arguments: [21, 22, 23, 24] as [UInt64])
    func noDataNeverReadsAsZeroLoad(seed: UInt64) {
        // Whenever the stable window has seen nothing for a whole window the result is invalid;
        // a valid result of 0 needs recorded data.
        var rng = SplitMix64(seed: seed)
        var windows = MetricCollection(stableWindowSeconds: 60, panicWindowSeconds: 6)
        var decider = Decider(spec: DeciderSpec(), readyPods: 1, now: Timestamp(seconds: 0))
        var lastRecord = -1_000
        for s in 0..<2_000 {
            let now = Timestamp(seconds: Int64(s))
            if Int.random(in: 0..<100, using: &rng) < 30 && (s / 300) % 2 == 0 {
                windows.record(Stat(averageConcurrentRequests: Double.random(in: 0...300, using: &rng)), at: now)
                lastRecord = s
            }
            let result = decider.evaluate(readyPods: 1, observation: windows.observation(of: .concurrency, at: now), now: now)
            if s - lastRecord > 60 {
                #expect(!result.isValid)
                #expect(result.desiredPodCount == -1)
            } else {
                #expect(result.isValid)
            }
        }
    }
}
