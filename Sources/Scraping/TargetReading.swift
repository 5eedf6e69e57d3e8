/// A target's signals from one scrape round: revision totals for load signals (the sampled
/// pods' mean extrapolated to all ready pods, as Knative does) and pod means for
/// utilisations. A signal no scraped pod reported is nil.
public struct TargetReading: Sendable, Equatable {
    public var concurrency: Double?
    public var rps: Double?
    public var queueDepth: Double?
    public var running: Double?
    public var promptTokensPerSecond: Double?
    public var generationTokensPerSecond: Double?
    public var kvCacheUtilization: Double?
    public var gpuMemoryUtilization: Double?
    /// KV-cache tokens per pod at most, mean over the pods that report it.
    public var kvCacheCapacityTokens: Double?
    /// Pods scraped, and pods whose scrape failed.
    public var podsScraped: Int
    public var failures: [ScrapeFailure]
    /// Requests in flight per scraped pod, by pod name (running plus waiting where the runtime reports them,
    /// else the queue-proxy's concurrency): which pods a scale-down should remove first.
    public var inFlightByPod: [String: Double]

    /// Combines pod readings of `sampled` pods out of `readyPods`.
    public init(readings: [PodReading], readyPods: Int, failures: [ScrapeFailure], inFlightByPod: [String: Double] = [:]) {
        podsScraped = readings.count + failures.count
        self.failures = failures
        self.inFlightByPod = inFlightByPod
        func total(_ pick: (PodReading) -> Double?) -> Double? {
            let values = readings.compactMap(pick)
            guard !values.isEmpty else { return nil }
            return values.reduce(0, +) / Double(values.count) * Double(readyPods)
        }
        func mean(_ pick: (PodReading) -> Double?) -> Double? {
            let values = readings.compactMap(pick)
            guard !values.isEmpty else { return nil }
            return values.reduce(0, +) / Double(values.count)
        }
        concurrency = total(\.concurrency)
        rps = total(\.rps)
        queueDepth = total(\.queueDepth)
        running = total(\.running)
        promptTokensPerSecond = total(\.promptTokensPerSecond)
        generationTokensPerSecond = total(\.generationTokensPerSecond)
        kvCacheUtilization = mean(\.kvCacheUtilization)
        gpuMemoryUtilization = mean(\.gpuMemoryUtilization)
        kvCacheCapacityTokens = mean(\.kvCacheCapacityTokens)
    }
}
