import Foundation
import Simulation

/// Replay speed: a 24-hour LLM trace at 100 requests/s on average (a diurnal curve, Poisson
/// arrivals, log-normal prompt and output lengths) spread over 10 targets, replayed under
/// `kpa` through the real control loop. The baseline in the same run replays the same day
/// with fixed replicas: the cluster model alone, with no control loop.
func runSimulationBenchmark(hours: Double) async {
    var rng = SeededRandom(seed: 7)
    var requests: [TraceRequest] = []
    let seconds = hours * 3600
    requests.reserveCapacity(Int(seconds * 100))
    var t = 0.0
    while t < seconds {
        let rate = 100 * (1 + 0.5 * sin(2 * Double.pi * t / 86_400))
        t += -log(rng.unit()) / rate
        requests.append(TraceRequest(time: t, promptTokens: Int(rng.logNormal(mean: 1000, cv: 1)),
                                     outputTokens: max(1, Int(rng.logNormal(mean: 200, cv: 1)))))
    }
    let trace = Trace(requests: requests, duration: seconds)
    print("simulation: \(requests.count) requests over \(Int(hours)) h, 10 targets, model \(ModelProfile.llama8B.name)")

    func replay(_ policy: PolicyChoice) async -> (Double, PolicyResult) {
        var c = SimulationConfiguration(trace: trace, profile: .llama8B, policies: [policy])
        c.targets = 10
        c.keepSeries = false
        let clock = ContinuousClock()
        let start = clock.now
        let report = await Simulator.run(c)
        let elapsed = clock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, report.results[0])
    }
    let (baseline, fixed) = await replay(.fixed(3))
    let (wall, kpa) = await replay(.kpa)
    print(String(format: "  fixed-3 (model only)  %6.2f s wall  %9.0f simulated s per wall s  %6.2f M requests/s", baseline, seconds / baseline, Double(fixed.requests) / baseline / 1e6))
    print(String(format: "  kpa (control loop)    %6.2f s wall  %9.0f simulated s per wall s  %6.2f M requests/s", wall, seconds / wall, Double(kpa.requests) / wall / 1e6))
    print(String(format: "  kpa / model only: %.2f× the wall time; a whole day in %.1f s (goal < 10 s)", wall / baseline, wall * 24 / hours))
    print(String(format: "  kpa: %.0f replica-s, TTFT p99 %.2f s, %d scale events", kpa.replicaSeconds, kpa.ttftP99, kpa.scaleEvents))
}
