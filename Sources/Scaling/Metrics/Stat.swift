/// One load report for a revision: a queue-proxy scrape (extrapolated to all ready pods) or
/// an activator report. Values are revision totals for the report's second.
public struct Stat: Sendable, Equatable {
    /// Who reported it (a pod, the scraper's synthetic name, or an activator).
    public var podName: String
    /// Time-weighted average of requests in flight over the report period.
    public var averageConcurrentRequests: Double
    /// The part of `averageConcurrentRequests` that came through the activator, which the
    /// activator already reports itself.
    public var averageProxiedConcurrentRequests: Double
    /// Requests per second over the report period.
    public var requestCount: Double
    /// The part of `requestCount` that came through the activator.
    public var proxiedRequestCount: Double
    /// Seconds since the reporting process started.
    public var processUptime: Double

    /// A stat with the given totals and nothing proxied.
    public init(
        podName: String = "",
        averageConcurrentRequests: Double,
        averageProxiedConcurrentRequests: Double = 0,
        requestCount: Double = 0,
        proxiedRequestCount: Double = 0,
        processUptime: Double = 0
    ) {
        self.podName = podName
        self.averageConcurrentRequests = averageConcurrentRequests
        self.averageProxiedConcurrentRequests = averageProxiedConcurrentRequests
        self.requestCount = requestCount
        self.proxiedRequestCount = proxiedRequestCount
        self.processUptime = processUptime
    }
}
