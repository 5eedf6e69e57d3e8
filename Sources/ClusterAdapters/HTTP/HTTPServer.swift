import AutoscalerCore
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP/1.1 server for inferscale's endpoints (health, metrics, debug, push). Each
/// request is answered by `handler`; request bodies are capped. It is a service: `run()`
/// serves until graceful shutdown.
public final class HTTPServer: Service, Sendable {
    /// A request as the handler sees it.
    public struct Request: Sendable {
        public var method: String
        /// The path without the query.
        public var path: String
        public var query: [String: String]
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// The peer's IP address (what rate limits count by); empty when unknown.
        public var remoteAddress: String

        public init(method: String, path: String, query: [String: String] = [:], headers: [(String, String)] = [],
                    body: [UInt8] = [], remoteAddress: String = "") {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
            self.remoteAddress = remoteAddress
        }

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name }?.1
        }
    }

    /// A response.
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
        /// Extra headers (`WWW-Authenticate` on a 401, `Retry-After` on a 429).
        public var headers: [(String, String)]
        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8], headers: [(String, String)] = []) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.headers = headers
        }
        public init(status: Int, text: String, headers: [(String, String)] = []) {
            self.init(status: status, body: Array(text.utf8), headers: headers)
        }
    }

    /// Largest request body accepted, bytes; a larger one gets 413.
    public static let maxBodyBytes = 1 << 20
    /// Default for `readTimeout`: a connection that sends nothing for this long is closed.
    public static let defaultReadTimeout: TimeAmount = .seconds(10)

    private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let handler: @Sendable (Request) async -> Response

    /// Binds `host:port` (port 0 picks a free one; see `port`). A connection that sends nothing for
    /// `readTimeout` (a slow or stuck client, a request dribbled byte by byte with long pauses) is closed, so
    /// idle connections cannot pile up.
    public init(host: String, port: Int, readTimeout: TimeAmount = HTTPServer.defaultReadTimeout,
                handler: @escaping @Sendable (Request) async -> Response) async throws {
        self.handler = handler
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: readTimeout))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(CloseOnIdleRead())
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
    }

    /// The port the server listens on.
    public var port: Int { channel.channel.localAddress?.port ?? 0 }

    public func run() async throws {
        let handler = self.handler
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await Self.serve(connection, handler) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.channel.channel.close(promise: nil)
        }
    }

    private static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
                              _ handler: @Sendable (Request) async -> Response) async {
        let remoteAddress = connection.channel.remoteAddress?.ipAddress ?? ""
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            var tooLarge = false
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                    tooLarge = false
                case .body(let buffer):
                    if body.count + buffer.readableBytes > maxBodyBytes {
                        tooLarge = true
                    } else {
                        body += buffer.readableBytesView
                    }
                case .end:
                    guard let h = head else { continue }
                    let response: Response
                    if tooLarge {
                        response = Response(status: 413, text: "request body over \(maxBodyBytes) bytes\n")
                    } else {
                        let (path, query) = Self.split(h.uri)
                        response = await handler(Request(method: h.method.rawValue, path: path, query: query,
                                                         headers: h.headers.map { ($0.name, $0.value) }, body: body,
                                                         remoteAddress: remoteAddress))
                    }
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: response.contentType)
                    headers.add(name: "Content-Length", value: "\(response.body.count)")
                    for (name, value) in response.headers { headers.add(name: name, value: value) }
                    try await outbound.write(.head(HTTPResponseHead(version: h.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    try await outbound.write(.end(nil))
                    head = nil
                }
            }
        }
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: q)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncodingSafely
            query[key] = parts.count > 1 ? String(parts[1]).removingPercentEncodingSafely : ""
        }
        return (String(uri[..<q]), query)
    }
}

/// Closes a connection on the read-idle event of the `IdleStateHandler` — unless a request has been read
/// in full and its answer is not written yet. An idle client is the one to drop; a server slow to answer
/// (its handler waiting for a busy executor) must still answer rather than hang up with an empty reply.
private final class CloseOnIdleRead: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    // Touched only on the channel's event loop.
    private var unanswered = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { unanswered = max(0, unanswered - 1) }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            if unanswered == 0 { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

extension String {
    /// Percent-decoding that leaves malformed escapes as they are; `+` is a space.
    var removingPercentEncodingSafely: String {
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "%"), utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
