import Foundation
import Simulation

/// `inferscale tune`'s speed: the kpa family's 100 variants on one hour of LLM traffic (the
/// bundled 20-minute Azure code slice played three times in a row), replayed in parallel on
/// every core as `tune` does, against the same variants replayed one at a time in the same run.
/// Both runs must give the same report.
func runTuneBenchmark() async {
    let slice: Trace
    do { slice = try BundledTrace.read() } catch {
        print("tune: the bundled trace cannot be read: \(error)")
        return
    }
    let span = 1200.0
    var requests: [TraceRequest] = []
    for copy in 0..<3 {
        for r in slice.requests where r.time < span {
            var shifted = r
            shifted.time += Double(copy) * span
            requests.append(shifted)
        }
    }
    let trace = Trace(requests: requests, duration: 3 * span)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print("tune: kpa family (100 variants), \(requests.count) requests over 1 h, model \(ModelProfile.llama70B.name), \(cores) cores")

    func tune(parallelism: Int) async -> (seconds: Double, json: String) {
        var c = TuneConfiguration(base: SimulationConfiguration(trace: trace, profile: .llama70B, policies: []), families: [KPAFamily()])
        c.parallelism = parallelism
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let report = try await Tuner.run(c)
            let elapsed = clock.now - start
            let json = try TuneSummary(report, trace: "bench", requests: requests.count).jsonString()
            return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, json)
        } catch {
            print("tune: \(error)")
            return (0, "")
        }
    }
    let serial = await tune(parallelism: 1)
    let parallel = await tune(parallelism: cores)
    print(String(format: "  one at a time        %6.1f s wall  (%.2f s per variant)", serial.seconds, serial.seconds / 100))
    print(String(format: "  %2d at once           %6.1f s wall  (goal < 60 s)", cores, parallel.seconds))
    print(String(format: "  parallel / serial: %.2f× the wall time (%.2f× faster); same report: %@", parallel.seconds / serial.seconds,
                 serial.seconds / parallel.seconds, serial.json == parallel.json && !serial.json.isEmpty ? "yes" : "NO"))
}
