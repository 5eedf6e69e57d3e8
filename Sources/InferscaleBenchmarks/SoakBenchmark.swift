import Logging
import SoakTestKit

/// `--only soak [--seconds N] [--seed S] [--faults-per-class K]`: the fault-injection soak for N simulated seconds
/// (default 1,800), every fault class K times (default 20). Prints the seed, the schedule, the figures and every
/// violated invariant; a violation is a failure to fix, replayable from the printed seed.
func runSoakBenchmark(seconds: Int?, seed: UInt64?, faultsPerClass: Int?) async {
    var configuration = SoakConfiguration()
    if let seconds { configuration.simulatedSeconds = seconds }
    if let seed { configuration.seed = seed }
    if let faultsPerClass { configuration.faultsPerClass = faultsPerClass }
    // The client's own watchers log every injected failure; only errors are worth reading here.
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .error
        return handler
    }
    let soak = Soak(configuration: configuration)
    print("soak: seed \(configuration.seed), schedule (step+duration:class:subject.pod): \(soak.schedule.listing)")
    do {
        let report = try await soak.run()
        print(report.summary)
        for violation in report.violations { print("  VIOLATION \(violation)") }
    } catch {
        print("soak failed to start: \(error)")
    }
}
