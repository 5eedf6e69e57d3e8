/// Turns a monotonically increasing counter (tokens, requests) into a rate per second across
/// scrapes of one pod. A counter that goes down means the process restarted: the new value
/// is counted from zero, as Prometheus's `rate()` does. The first scrape has no rate.
public struct CounterRate: Sendable, Equatable {
    private var last: (value: Double, time: Timestamp)?

    public init() {}

    /// Feeds one scrape; returns the rate per second since the previous one, or nil for the
    /// first scrape, a non-finite value, or a scrape not later than the previous.
    public mutating func update(_ value: Double, at time: Timestamp) -> Double? {
        guard value.isFinite, value >= 0 else { return nil }
        defer { last = (value, time) }
        guard let last, time > last.time else { return nil }
        let seconds = Double(time.nanoseconds - last.time.nanoseconds) / 1e9
        let increase = value >= last.value ? value - last.value : value  // reset: counted from zero
        return increase / seconds
    }

    /// Forgets history (a pod replaced under the same name).
    public mutating func reset() { last = nil }

    public static func == (a: CounterRate, b: CounterRate) -> Bool {
        a.last?.value == b.last?.value && a.last?.time == b.last?.time
    }
}

/// Knative's scrape sample size for a revision of `readyPods` pods
/// (`pkg/autoscaler/metrics/sample_size.go`): every pod up to 3, then
/// `ceil(N·X / (N + X − 1))` with X = 1.96² · 100 / 5² = 15.3664 (95 % confidence, 5 % error),
/// at most 16. The sampled per-pod mean is extrapolated to all ready pods.
public func knativeSampleSize(readyPods n: Int) -> Int {
    guard n > 3 else { return max(0, n) }
    let x = 15.3664
    return Int((Double(n) * x / (Double(n) + x - 1)).rounded(.up))
}
