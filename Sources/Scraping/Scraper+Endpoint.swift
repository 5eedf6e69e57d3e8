import Exposition
import RuntimeSignals

/// How a scraped body is decoded.
public enum ScrapeBodyFormat: Sendable, Equatable {
    /// Knative's queue-proxy `Stat` protobuf (the autoscaler port, 9090).
    case queueProxyStat
    /// Prometheus text 0.0.4 or OpenMetrics 1.0 text.
    case exposition(ExpositionFormat)

    /// The format a Content-Type names: the protobuf stat for `application/protobuf`, else the
    /// exposition format it names, else Prometheus text (what servers that send no type serve).
    public init(contentType: String?) {
        if let contentType, contentType.lowercased().hasPrefix("application/protobuf") {
            self = .queueProxyStat
        } else {
            self = .exposition(contentType.flatMap(ExpositionFormat.init(contentType:)) ?? .prometheusText)
        }
    }
}

/// What one endpoint served, decoded.
public enum EndpointReading: Sendable {
    /// A queue-proxy stat.
    case queueProxyStat(QueueProxyStat)
    /// A parsed metrics body and the format it was parsed as.
    case exposition(ParsedExposition, ExpositionFormat)
}

extension Scraper {
    /// The Accept header of a metrics scrape: OpenMetrics preferred, Prometheus text accepted.
    static let expositionAccept = "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5"
    /// The Accept header of a queue-proxy stats scrape.
    static let protobufAccept = "application/protobuf"

    /// Scrapes one endpoint the way a pod is scraped — the same deadline over connection, head
    /// and body, the same body and sample caps, the same failure reasons — and decodes it as
    /// `format`, or as its Content-Type says when `format` is nil. For `inferscale scrape URL`.
    public func read(_ url: String, as format: ScrapeBodyFormat? = nil) async throws(ScrapeFailure) -> EndpointReading {
        let bytes: [UInt8]
        let contentType: String?
        do {
            (bytes, contentType) = try await get(url, accept: format == .queueProxyStat ? Self.protobufAccept : Self.expositionAccept)
        } catch let failure as ScrapeFailure {
            throw failure
        } catch {
            throw ScrapeFailure(reason: "connect", url: url, detail: "\(error)")
        }
        return try Self.decode(bytes, as: format ?? ScrapeBodyFormat(contentType: contentType), from: url, configuration: configuration)
    }

    /// Decodes a body with the scraper's caps: a body over `maxBodyBytes` is `too-large`, one
    /// with more than `maxSamples` samples `too-many-samples`, one that does not parse
    /// `malformed` (with the parse error's line and column). `source` names the URL or file.
    public static func decode(_ bytes: [UInt8], as format: ScrapeBodyFormat, from source: String,
                              configuration: ScraperConfiguration) throws(ScrapeFailure) -> EndpointReading {
        guard bytes.count <= configuration.maxBodyBytes else {
            throw ScrapeFailure(reason: "too-large", url: source, detail: "\(bytes.count) bytes; the limit is \(configuration.maxBodyBytes)")
        }
        switch format {
        case .queueProxyStat:
            do {
                return .queueProxyStat(try QueueProxyStat(protobuf: bytes))
            } catch {
                throw ScrapeFailure(reason: "malformed", url: source, detail: "\(error)")
            }
        case .exposition(let expositionFormat):
            var limits = ExpositionParser.Limits()
            limits.maxSamples = configuration.maxSamples
            var parser = ExpositionParser(format: expositionFormat, limits: limits)
            do {
                return .exposition(try parser.parse(bytes), expositionFormat)
            } catch {
                throw failure(error, source: source)
            }
        }
    }

    /// A parse error as a scrape failure: `too-many-samples` past the sample cap, else `malformed`.
    static func failure(_ error: ExpositionError, source: String) -> ScrapeFailure {
        ScrapeFailure(reason: error.code == .limitExceeded ? "too-many-samples" : "malformed", url: source,
                      detail: "\(error)", parseError: error)
    }
}
