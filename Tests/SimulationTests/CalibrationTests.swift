import Testing
@testable import Simulation

/// The `llama-70b-4xh100` replica against published measurements of a real one
/// (`Calibration.published`): the simulated means must land within the tolerances. A
/// point whose measured TTFT mean is carried by a tail (`Calibration.isTailDominated`) is held
/// to its median; docs/simulation.md gives both figures.
@Suite struct CalibrationTests {
    @Test(arguments: Calibration.published.indices)
    func theModelMatchesThePublishedMeasurements(_ index: Int) async {
        let o = await Calibration.replay(Calibration.published[index])
        #expect(abs(o.ttftMedianRatio - 1) <= Calibration.ttftTolerance, "TTFT median \(o.ttftMedian) s against \(o.point.ttftMedian) s")
        if !Calibration.isTailDominated(o.point) {
            #expect(abs(o.ttftRatio - 1) <= Calibration.ttftTolerance, "TTFT mean \(o.ttftMean) s against \(o.point.ttftMean) s")
        }
        #expect(abs(o.e2eRatio - 1) <= Calibration.e2eTolerance, "e2e mean \(o.e2eMean) s against \(o.point.e2eMean) s")
        #expect(abs(o.throughputRatio - 1) <= Calibration.throughputTolerance,
                "\(o.outputTokensPerSecond) output tokens/s against \(o.point.outputTokensPerSecond)")
    }
}
