import Exposition

/// Why one pod's scrape gave nothing. The pod's part of the sample is then missing (never
/// zero) and the failure is counted by `reason`.
public struct ScrapeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short label for metrics: timeout, connect, status, too-large, malformed, too-many-samples.
    public var reason: String
    /// The URL scraped.
    public var url: String
    /// What happened, for logs.
    public var detail: String
    /// For `malformed` and `too-many-samples` bodies: the parser's error, with line and column.
    public var parseError: ExpositionError?

    public init(reason: String, url: String, detail: String, parseError: ExpositionError? = nil) {
        self.reason = reason
        self.url = url
        self.detail = detail
        self.parseError = parseError
    }

    public var description: String { "\(url): \(reason): \(detail)" }
}
