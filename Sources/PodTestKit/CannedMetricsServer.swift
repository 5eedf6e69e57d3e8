import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server on 127.0.0.1 port 0 that answers each path with a canned response, counts
/// requests and the most in flight at once. Stands in for pods' metrics endpoints.
public final class CannedMetricsServer: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus = .ok
        public var contentType: String = "text/plain; version=0.0.4"
        public var body: [UInt8]
        /// Seconds to wait before answering.
        public var delay: Double = 0
        /// Close the connection instead of answering (a pod that resets connections).
        public var reset: Bool = false
        public init(status: HTTPResponseStatus = .ok, contentType: String = "text/plain; version=0.0.4", body: [UInt8], delay: Double = 0, reset: Bool = false) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.delay = delay
            self.reset = reset
        }
    }

    private let group: MultiThreadedEventLoopGroup
    private var channel: Channel?
    private let state = NIOLockedValueBox(State())

    struct State {
        var responses: [String: Response] = [:]
        var requests: [String: Int] = [:]
        var inFlight = 0
        public var maxInFlight = 0
        public var accepts: [String] = []
    }

    public init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Starts listening; returns the port.
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        return channel.localAddress!.port!
    }

    /// Starts listening on `host:port` (another loopback address, e.g. 127.0.0.2, gives a pod its own IP on a
    /// shared port); returns the port.
    public func start(host: String, port: Int) async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        self.channel = channel
        return channel.localAddress!.port!
    }

    public func stop() async throws {
        try await channel?.close()
        try await group.shutdownGracefully()
    }

    public func set(_ path: String, _ response: Response) { state.withLockedValue { $0.responses[path] = response } }
    public func requests(_ path: String) -> Int { state.withLockedValue { $0.requests[path] ?? 0 } }
    public var maxInFlight: Int { state.withLockedValue { $0.maxInFlight } }
    public var accepts: [String] { state.withLockedValue { $0.accepts } }

    fileprivate func begin(_ path: String, accept: String?) -> Response? {
        state.withLockedValue {
            $0.requests[path, default: 0] += 1
            $0.inFlight += 1
            $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
            if let accept { $0.accepts.append(accept) }
            return $0.responses[path]
        }
    }

    fileprivate func end() { state.withLockedValue { $0.inFlight -= 1 } }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: CannedMetricsServer
        var head: HTTPRequestHead?
        init(server: CannedMetricsServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h
            case .body: break
            case .end:
                guard let head else { return }
                let path = String(head.uri.prefix { $0 != "?" })
                let response = server.begin(path, accept: head.headers.first(name: "Accept")) ?? Response(status: .notFound, body: Array("no such path".utf8))
                if response.reset {
                    server.end()
                    context.close(promise: nil)
                    return
                }
                let loop = context.eventLoop
                let ctx = NIOLoopBound(context, eventLoop: loop)
                loop.scheduleTask(in: .nanoseconds(Int64(response.delay * 1e9))) {
                    let context = ctx.value
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: response.contentType)
                    headers.add(name: "Content-Length", value: "\(response.body.count)")
                    context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil)
                    context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                    self.server.end()
                }
            }
        }
    }
}
