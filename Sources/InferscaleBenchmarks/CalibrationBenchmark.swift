import Foundation
import Simulation

/// The replica model against published measurements (`Calibration.published`): simulated
/// and measured means side by side, with the ratio and whether it is within tolerance.
func runCalibrationBenchmark() async {
    print("calibration: fixed replicas, inference-perf's constant load (Poisson, \(Calibration.seeds.count) seeds), simulated / measured")
    // For comparison: the same points with the BLIS step line for Llama-3.3-70B on 4 H100
    // (vLLM 0.8.4), which the profile does not use.
    let blis = Calibration.published.map { p -> Calibration.Point in
        var q = p
        if case .llm(var m) = q.profile.kind {
            m.stepTime.baseSeconds = 12_601.3e-6
            m.stepTime.perPrefillTokenSeconds = 76.42e-6
            m.stepTime.perDecodeSequenceSeconds = 66.84e-6
            q.profile.kind = .llm(m)
        }
        q.name += " (BLIS 3.3-70B line)"
        return q
    }
    // And with prefix caching off: every prompt computed in full, as if the measured server
    // had not cached the 100 prompts it was sent in turn (docs/simulation.md).
    let uncached = Calibration.published.map { p -> Calibration.Point in
        var q = p
        if case .llm(var m) = q.profile.kind {
            m.enablePrefixCaching = false
            q.profile.kind = .llm(m)
        }
        q.name += " (prefix caching off)"
        return q
    }
    for point in Calibration.published + uncached + blis + Calibration.reported {
        let o = await Calibration.replay(point)
        let held = !Calibration.reported.contains { $0.name == point.name }
        func cell(_ label: String, _ sim: Double, _ measured: Double, _ ratio: Double, _ tolerance: Double, _ format: String) -> String {
            let tolerance = held ? tolerance : .infinity
            let ok = tolerance.isInfinite ? "not held" : abs(ratio - 1) <= tolerance ? "ok" : "OUT"
            return "\(label) \(String(format: format, sim)) / \(String(format: format, measured)) = \(String(format: "%.2f", ratio)) (\(ok))"
        }
        print("  \(point.name) [\(point.profile.name)]: "
              + cell("TTFT mean s", o.ttftMean, point.ttftMean, o.ttftRatio, Calibration.ttftTolerance, "%.3f")
              + String(format: " [seeds %.3f–%.3f], ", o.ttftMeanLowest, o.ttftMeanHighest)
              + cell("median", o.ttftMedian, point.ttftMedian, o.ttftMedianRatio, .infinity, "%.3f") + ", "
              + cell("e2e mean s", o.e2eMean, point.e2eMean, o.e2eRatio, Calibration.e2eTolerance, "%.2f") + ", "
              + cell("output tok/s", o.outputTokensPerSecond, point.outputTokensPerSecond, o.throughputRatio, Calibration.throughputTolerance, "%.0f"))
    }
}
