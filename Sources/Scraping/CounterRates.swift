/// Counter values per pod between scrapes, turned into rates per second. A counter that went
/// down means the pod's process restarted: the new value counts from zero. A pod's first
/// scrape gives no rate. Pods that disappear are forgotten.
struct CounterRates: Sendable {
    private struct Last: Sendable {
        var value: Double
        var seconds: Double
    }
    private var last: [String: Last] = [:]

    /// The rate of counter `name` of `pod` at `seconds` (any monotonic clock), or nil.
    mutating func rate(_ pod: String, _ name: String, value: Double?, at seconds: Double) -> Double? {
        let key = pod + "\u{0}" + name
        guard let value, value.isFinite, value >= 0 else { return nil }
        defer { last[key] = Last(value: value, seconds: seconds) }
        guard let previous = last[key], seconds > previous.seconds else { return nil }
        let increase = value >= previous.value ? value - previous.value : value
        return increase / (seconds - previous.seconds)
    }

    /// Forgets every pod not in `pods`.
    mutating func keep(only pods: Set<String>) {
        last = last.filter { pods.contains(String($0.key.prefix { $0 != "\u{0}" })) }
    }
}
