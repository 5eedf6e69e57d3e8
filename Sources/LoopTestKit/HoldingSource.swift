import AutoscalerCore
import Rules
import Scaling

/// A metric source whose scrapes of chosen targets hang until the test releases them, as a
/// pod answering at its deadline would; it counts calls and scrapes in flight per target.
/// The sample returned is the one set when the scrape began.
public actor HoldingSource: MetricSource {
    private var load: [String: SignalSample] = [:]
    private var failures: [String: [String]] = [:]
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var current: [String: Int] = [:]
    /// Scrapes begun per target.
    public private(set) var calls: [String: Int] = [:]
    /// The most scrapes of one target that were in flight at once.
    public private(set) var mostInFlight: [String: Int] = [:]

    public init() {}

    /// The sample a target's next scrapes return (revision totals).
    public func set(_ key: String, _ sample: SignalSample) { load[key] = sample }
    /// Failure reasons a target's next scrapes report (one per failed pod).
    public func setFailures(_ key: String, _ reasons: [String]) { failures[key] = reasons }
    /// From now on the target's scrapes hang until `release`.
    public func hold(_ key: String) { held.insert(key) }
    /// Lets the target's hanging scrapes answer, and stops holding it.
    public func release(_ key: String) {
        held.remove(key)
        for c in waiting.removeValue(forKey: key) ?? [] { c.resume() }
    }
    /// Scrapes of the target in flight now.
    public func inFlight(_ key: String) -> Int { current[key] ?? 0 }

    public func collect(_ target: DiscoveredTarget, source: Rule.Source, at time: Timestamp) async -> CollectedSignals {
        let key = target.key
        let sample = load[key] ?? SignalSample()
        let failed = failures[key] ?? []
        calls[key, default: 0] += 1
        current[key, default: 0] += 1
        mostInFlight[key] = max(mostInFlight[key] ?? 0, current[key]!)
        if held.contains(key) {
            await withCheckedContinuation { waiting[key, default: []].append($0) }
        }
        current[key]! -= 1
        return CollectedSignals(sample: sample, podsScraped: target.pods.count, podsFailed: failed.count,
                                failureReasons: failed, firstFailure: failed.first.map { "http://10.0.0.1:9091/metrics: \($0)" })
    }
}
