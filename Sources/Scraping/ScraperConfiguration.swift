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
    /// Seconds a scrape may wait for one of the `maxInFlight` slots before it fails as `queue-timeout`; once it has a
    /// slot, its `deadlineSeconds` count from then. Default nil: the wait is part of the deadline, counted from when the
    /// scrape is asked for, so no scrape ends later than one deadline after it was asked for. `inferscale run` sets it
    /// to its scrape interval, so that a fleet with more pods than the scraper reads in one deadline is still read
    /// within interval + deadline (docs/operations.md#sizing).
    public var slotWaitSeconds: Double? = nil
    /// Which pods to scrape.
    public var sampling: Sampling = .knative
    /// Knative's queue-proxy stats port.
    public var queueProxyPort: Int = 9090
    /// Which HTTP client reads plain-http pod endpoints (default `lean`); https ones always go through async-http-client.
    public var client: Client = .lean
    /// Seconds an idle connection of the `lean` client stays open for the next scrape (default 3; `inferscale run`
    /// sets it from `--scrape-idle-timeout`). async-http-client's connections follow its own configuration.
    public var idleConnectionSeconds: Double = 3

    /// The HTTP client for plain-http pod scrapes.
    public enum Client: String, Sendable, Equatable, CaseIterable {
        /// `PodHTTPClient`: SwiftNIO's HTTP/1.1 codec, one kept-alive connection per pod endpoint; about half the CPU
        /// and memory per pod scrape of async-http-client (docs/operations.md#sizing).
        case lean
        /// The `HTTPClient` the scraper was built with, for every URL (the former path, kept as the baseline).
        case asyncHTTPClient = "ahc"
    }

    /// Which of a target's ready pods are scraped.
    public enum Sampling: String, Sendable, Equatable {
        /// Knative's sample size (all pods up to 3, at most 16), extrapolated to all ready pods.
        case knative
        /// Every ready pod.
        case all
    }

    public init() {}
}
