/// Limits and choices of the scraper. Defaults follow Knative's scraper where it has one.
public struct ScraperConfiguration: Sendable, Equatable {
    /// Seconds one pod's scrape may take, connection to last byte (Knative: 3 s).
    public var deadlineSeconds: Double = 3
    /// Largest response body accepted, bytes (default 4 MiB); a larger one is an error, not an allocation.
    public var maxBodyBytes: Int = 4 << 20
    /// Most samples accepted from one scrape (a hostile pod cannot flood memory).
    public var maxSamples: Int = 100_000
    /// Most scrapes in flight at once, over all targets.
    public var maxInFlight: Int = 64
    /// Which pods to scrape.
    public var sampling: Sampling = .knative
    /// Knative's queue-proxy stats port.
    public var queueProxyPort: Int = 9090

    /// Which of a target's ready pods are scraped.
    public enum Sampling: String, Sendable, Equatable {
        /// Knative's sample size (all pods up to 3, at most 16), extrapolated to all ready pods.
        case knative
        /// Every ready pod.
        case all
    }

    public init() {}
}
