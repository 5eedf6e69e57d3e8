import Exposition
import NIOConcurrencyHelpers

/// Parsers kept between scrapes. A parser remembers the label names and values it has seen, so a warm
/// one decodes a steady pod's body without building strings; a fresh parser per scrape built them all
/// again (about three quarters of a vLLM body's parse). Parsing runs off the scraper's actor, at most one
/// parse per thread, so a few idle parsers serve every scrape.
final class ExpositionParserPool: Sendable {
    /// Idle parsers kept at most; beyond that a returned parser is dropped.
    static let idleLimit = 8
    /// Strings a pooled parser keeps between parses (past it, the table is cleared before the next parse):
    /// a vLLM body has a few hundred, and a hostile pod cannot make a pooled parser hold megabytes.
    static let retainedStrings = 4_096

    private let limits: ExpositionParser.Limits
    private let idle = NIOLockedValueBox<[ExpositionParser]>([])

    /// Parsers with the scraper's cap on samples per body.
    init(maxSamples: Int) {
        var limits = ExpositionParser.Limits()
        limits.maxSamples = maxSamples
        limits.maxRetainedStrings = Self.retainedStrings
        self.limits = limits
    }

    /// Runs `body` with a warm parser for `format` (a new one when none is idle) and keeps it afterwards.
    func withParser<T>(_ format: ExpositionFormat, _ body: (inout ExpositionParser) throws(ExpositionError) -> T) throws(ExpositionError) -> T {
        var parser = idle.withLockedValue { parsers in
            parsers.firstIndex { $0.format == format }.map { parsers.remove(at: $0) }
        } ?? ExpositionParser(format: format, limits: limits)
        defer {
            idle.withLockedValue { parsers in
                if parsers.count < Self.idleLimit { parsers.append(parser) }
            }
        }
        return try body(&parser)
    }
}
