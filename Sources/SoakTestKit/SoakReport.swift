import Foundation

/// What a soak did and found: faults by class, the loop's work, the remote-write ledger, memory, and every
/// invariant violation (empty when all held).
public struct SoakReport: Sendable {
    public var seed: UInt64
    public var schedule: String
    public var simulatedSeconds = 0
    public var wallSeconds = 0.0
    public var faults: [FaultClass: Int] = [:]
    /// Decide ticks × targets evaluated, and evaluations whose desired scale changed (leader and follower).
    public var evaluations = 0
    public var decisionChanges = 0
    /// Scale calls by the replicas, those that failed (retried on a later tick), writes the API applied, 409s it answered.
    public var scaleCalls = 0
    public var failedScaleCalls = 0
    public var scaleWrites = 0
    public var conflicts = 0
    /// Requests answered 429 with `Retry-After` (each retried no sooner than it asked).
    public var throttled = 0
    /// Requests the API answered with an injected or RBAC error, and all requests.
    public var apiErrors = 0
    public var apiRequests = 0
    /// Leader changes observed (the leading replica's name changed).
    public var leaderChanges = 0
    /// Replicas started again after a SIGTERM (once the rule files were valid).
    public var restarts = 0
    public var rulesApplied = 0
    public var rulesRejected = 0
    public var scrapes = 0
    public var failedPodScrapes = 0
    /// Remote-write: samples appended (accepted by the queue), refused at append (queue full), sent, dropped, failed, received.
    public var remoteAppended = 0
    public var remoteRefused = 0
    public var remoteSent = 0
    public var remoteDropped = 0
    public var remoteFailed = 0
    public var remoteRetried = 0
    public var remoteReceived = 0
    public var rssStartMiB = 0.0
    public var rssAfterWarmupMiB = 0.0
    public var rssMaxMiB = 0.0
    public var rssEndMiB = 0.0
    public var violations: [String] = []

    /// The figures, one group a line.
    public var summary: String {
        let byClass = FaultClass.allCases.map { "\($0.rawValue) \(faults[$0] ?? 0)" }.joined(separator: ", ")
        return """
            soak: seed \(seed), \(simulatedSeconds) simulated s in \(String(format: "%.1f", wallSeconds)) wall s
              faults injected (\(faults.values.reduce(0, +))): \(byClass)
              decide: \(evaluations) evaluations, \(decisionChanges) changes of desired scale; scrapes \(scrapes) (\(failedPodScrapes) pod scrapes failed)
              scale: \(scaleCalls) calls, \(failedScaleCalls) failed and retried, \(scaleWrites) writes applied, \(conflicts) conflicts (409); API \(apiRequests) requests, \(apiErrors) answered with errors (\(throttled) 429 with Retry-After)
              leader changes \(leaderChanges), restarts after SIGTERM \(restarts); rules applied \(rulesApplied), rejected \(rulesRejected)
              remote-write: \(remoteAppended) queued, \(remoteRefused) refused at append, \(remoteSent) sent (\(remoteReceived) received), \(remoteDropped) dropped, \(remoteFailed) failed, \(remoteRetried) retried
              RSS \(mib(rssStartMiB)) MiB at start, \(mib(rssAfterWarmupMiB)) after warm-up, max \(mib(rssMaxMiB)), end \(mib(rssEndMiB))
              invariants: \(violations.isEmpty ? "all held" : "\(violations.count) violations")
            """
    }

    private func mib(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// Resident set size of this process, MiB (from /proc/self/status).
func residentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ")[1]) else { return .nan }
    return kb / 1024
}
