import AsyncHTTPClient

extension Scraper {
    /// The HTTP client configuration for scraping pods, which `inferscale run` builds its client with.
    public static func httpClientConfiguration() -> HTTPClient.Configuration {
        HTTPClient.Configuration()
    }
}
