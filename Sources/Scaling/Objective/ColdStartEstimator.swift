/// The cold start of a target's pods, measured from pod creation to readiness: pods that
/// become ready after the estimator started are measured once each; until one is, the prior
/// stands. The estimate is the longest of the last few measurements, because capacity asked
/// for one cold start ahead must be there in time for the slowest start too.
public struct ColdStartEstimator: Sendable {
    /// Measurements kept (the estimate is their maximum).
    public static let kept = 5

    /// Seconds assumed until a start is measured.
    public var priorSeconds: Double
    /// The latest measurements, seconds, oldest first.
    public private(set) var measured: [Double] = []
    /// Readiness times already measured; a pod ready before `since` is not (its creation may
    /// predate this process, but its start was not seen and may be a restart).
    private var latestReady: Timestamp

    /// An estimator that measures pods becoming ready after `since`.
    public init(priorSeconds: Double, since: Timestamp) {
        self.priorSeconds = priorSeconds
        latestReady = since
    }

    /// Measures the pods of `startups` that became ready since the last call.
    public mutating func observe(_ startups: [PodStartup]) {
        let fresh = startups.filter { $0.readyAt > latestReady }.sorted { $0.readyAt < $1.readyAt }
        for s in fresh {
            let seconds = Double(s.readyAt.nanoseconds - s.createdAt.nanoseconds) / 1e9
            latestReady = max(latestReady, s.readyAt)
            // A pod ready at its creation (a pre-provisioned one) tells nothing of a start.
            guard seconds > 0 else { continue }
            measured.append(seconds)
            if measured.count > Self.kept { measured.removeFirst(measured.count - Self.kept) }
        }
    }

    /// The cold start to plan with, seconds.
    public var seconds: Double { measured.max() ?? priorSeconds }
    /// Whether `seconds` was measured (false: the prior).
    public var isMeasured: Bool { !measured.isEmpty }
}
