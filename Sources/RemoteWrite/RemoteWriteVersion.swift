/// The remote-write protocol version of a request.
public enum RemoteWriteVersion: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 1.0: `prometheus.WriteRequest`, understood by every receiver.
    case v1 = "1.0"
    /// 2.0: `io.prometheus.write.v2.Request`, with a symbols table and metadata.
    case v2 = "2.0"

    /// The `Content-Type` header value (the bare form for 1.0, as the spec advises for 1.x receivers).
    public var contentType: String {
        switch self {
        case .v1: "application/x-protobuf"
        case .v2: "application/x-protobuf;proto=io.prometheus.write.v2.Request"
        }
    }

    /// The `X-Prometheus-Remote-Write-Version` header value.
    public var versionHeader: String {
        switch self {
        case .v1: "0.1.0"
        case .v2: "2.0.0"
        }
    }

    public var description: String { rawValue }
}
