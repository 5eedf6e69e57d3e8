/// Chooses the remote-write version and falls back from 2.0 to 1.0 for good when the receiver
/// shows it does not speak 2.0.
///
/// Signs of a 1.x receiver, answering a 2.0 request: `415 Unsupported Media Type`, or a 2xx
/// without any `X-Prometheus-Remote-Write-*-Written` header (a 1.x receiver decodes a 2.0 body
/// as an empty 1.0 request and writes nothing). In both cases the same batch must be sent
/// again as 1.0. The choice is shared by all shards and never reverts.
public struct ProtocolNegotiationStateMachine: Sendable {
    /// What to do with a response.
    public enum Action: Sendable, Equatable {
        /// Use the response as it is (classify it with `SendOutcome`).
        case accept
        /// The receiver does not speak 2.0: `version` is now `.v1`; send the same batch again as 1.0.
        case resendAsV1
    }

    /// The version the next request should use.
    public private(set) var version: RemoteWriteVersion
    /// How many times a response made the writer fall back (0 or 1 in practice; more when
    /// requests were already in flight as 2.0 on several shards).
    public private(set) var fallbacks = 0

    /// Starts with `preferred`.
    public init(preferred: RemoteWriteVersion) { self.version = preferred }

    /// The names of the 2.0 written-count response headers (lower case).
    public static let writtenCountHeaders = [
        "x-prometheus-remote-write-samples-written",
        "x-prometheus-remote-write-histograms-written",
        "x-prometheus-remote-write-exemplars-written",
    ]

    /// A response to a request sent as `sentAs` came back with `status`.
    ///
    /// - Parameter hasWrittenCountHeaders: whether any of `writtenCountHeaders` was present.
    public mutating func responseReceived(sentAs: RemoteWriteVersion, status: Int, hasWrittenCountHeaders: Bool) -> Action {
        guard sentAs == .v2 else { return .accept }
        let unsupported = status == 415 || ((200..<300).contains(status) && !hasWrittenCountHeaders)
        guard unsupported else { return .accept }
        version = .v1
        fallbacks += 1
        return .resendAsV1
    }
}
