import SoakTestKit
import Testing

/// A short soak in CI: every fault class once, on two replicas of the real loop against the fake API server and
/// loopback pods, every invariant checked after every step. `inferscale-bench --only soak` runs the long one.
@Suite(.serialized) struct SoakTests {
    @Test(.timeLimit(.minutes(5))) func everyFaultClassOnceAndEveryInvariantHolds() async throws {
        var configuration = SoakConfiguration()
        configuration.seed = 18
        configuration.simulatedSeconds = 160
        configuration.faultsPerClass = 1
        configuration.warmupSteps = 20
        configuration.quietTailSteps = 40
        configuration.longRemoteWriteOutageSeconds = 60
        configuration.wallClockLimitSeconds = 240
        let report = try await Soak(configuration: configuration).run()
        for kind in FaultClass.allCases {
            #expect(report.faults[kind] == 1, "\(kind.rawValue) was injected \(report.faults[kind] ?? 0) times")
        }
        #expect(report.violations.isEmpty, "seed \(report.seed), schedule \(report.schedule):\n\(report.violations.joined(separator: "\n"))")
        #expect(report.scaleWrites > 0, "the soak should scale something; \(report.summary)")
        #expect(report.remoteDropped > 0 || report.remoteSent > 0)
    }

    @Test func theScheduleReplaysFromItsSeed() {
        var configuration = SoakConfiguration()
        configuration.seed = 7
        let a = FaultSchedule(configuration: configuration), b = FaultSchedule(configuration: configuration)
        #expect(a.listing == b.listing)
        #expect(a.faults.count == FaultClass.allCases.count * configuration.faultsPerClass)
        let last = configuration.simulatedSeconds - configuration.quietTailSteps
        #expect(a.faults.allSatisfy { (configuration.warmupSteps..<last).contains($0.step) })
        // Remote-write outages end before the quiet tail, so the closing ledger sees the receiver back.
        #expect(a.faults.filter { $0.kind == .remoteWriteDown }.allSatisfy { $0.step + $0.duration < last })
        configuration.seed = 8
        #expect(FaultSchedule(configuration: configuration).listing != a.listing)
    }
}
