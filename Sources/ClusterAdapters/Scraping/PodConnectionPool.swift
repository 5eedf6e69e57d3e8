import AsyncHTTPClient
import NIOCore
import Scraping

/// How `inferscale run` keeps its HTTP connections to the pods it scrapes. An idle keep-alive connection is an open
/// file for as long as it idles, one per pod and port: with async-http-client's default (60 s) a fleet of 20,000
/// pods scraped every few seconds holds 20,000 sockets between rounds and reaches the process's open-file limit
/// (often 20,000 to 65,536 hard, 1,024 soft) before its CPU is spent. A short idle timeout keeps connections for
/// the next round at the usual intervals and closes them between rounds at long ones.
public struct PodConnectionPool: Sendable, Equatable {
    /// Seconds an idle connection to a pod stays open for the next scrape (default 3, `--scrape-idle-timeout`):
    /// reused at scrape intervals up to 2 s; at longer ones each scrape connects anew, and the open connections stay
    /// near the pods scraped per second × this many seconds instead of one per pod.
    public var idleTimeout: Double = 3

    /// The accepted range of `idleTimeout`, in seconds.
    public static let idleTimeoutRange: ClosedRange<Double> = 0.1...300

    public init() {}

    /// The HTTP client configuration for pod scrapes over async-http-client (https pods, or the scraper's `ahc` client;
    /// plain-http pods go through the lean `PodHTTPClient`, which `run` gives the same idle timeout): the scraper's (`Scraper.httpClientConfiguration()`: small
    /// receive buffers, no tracing) with this idle timeout.
    public var httpConfiguration: HTTPClient.Configuration {
        var configuration = Scraper.httpClientConfiguration()
        configuration.connectionPool.idleTimeout = .milliseconds(Int64((idleTimeout * 1000).rounded()))
        return configuration
    }
}
