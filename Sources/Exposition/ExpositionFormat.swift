/// The text exposition formats the parser understands.
///
/// The two are close relatives with different strictness: Prometheus text 0.0.4 is what most exporters
/// serve and is parsed leniently, OpenMetrics 1.0 is validated against the full specification
/// (`# EOF` terminator, no blank lines, family grouping, counter and histogram value rules, exemplars).
public enum ExpositionFormat: String, Sendable, Hashable, CaseIterable {
    /// Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`).
    case prometheusText = "text/plain; version=0.0.4"
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`).
    case openMetrics = "application/openmetrics-text; version=1.0.0"

    /// Picks the format from an HTTP `Content-Type` header value.
    ///
    /// `application/openmetrics-text` (any 1.x or missing version) selects OpenMetrics; `text/plain`
    /// (version 0.0.4 or none) selects Prometheus text. Media types are compared case-insensitively and
    /// parameters other than `version` are ignored. Returns `nil` for anything else (for example
    /// `application/protobuf`, or OpenMetrics 2.0), so the caller can report the content type instead of
    /// misparsing the body.
    public init?(contentType: String) {
        // What exporters send on every scrape, compared whole before the general reading below.
        if contentType == "text/plain; version=0.0.4; charset=utf-8" || contentType == Self.prometheusText.rawValue {
            self = .prometheusText
            return
        }
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
        let mediaType = parts.first.map { $0.trimmingSpaces().lowercased() } ?? ""
        var version: String?
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces().lowercased() == "version" else { continue }
            var value = pair[1].trimmingSpaces()
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            version = value
        }
        switch mediaType {
        case "application/openmetrics-text":
            guard version == nil || version!.hasPrefix("1.") else { return nil }
            self = .openMetrics
        case "text/plain":
            guard version == nil || version == "0.0.4" else { return nil }
            self = .prometheusText
        default:
            return nil
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
