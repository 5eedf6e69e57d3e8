import AutoscalerCore
import Exposition
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import ServiceLifecycle

/// Receives Knative activator load reports: the activator keeps a websocket open to the
/// autoscaler and sends `WireStatMessages` (protobuf) as binary frames, one batch per frame
/// (Knative's `pkg/autoscaler/statserver`). Text frames are ignored, as Knative does; a plain
/// HTTP GET is a health probe and gets 200. The upgrade request must carry
/// `Authorization: Bearer TOKEN` (`gate`); without a valid token it is answered 401 and no
/// websocket opens. Each frame takes one unit of the peer's rate (a frame over it is dropped and
/// counted); each decoded batch goes to `onBatch`.
public final class ActivatorStatsServer: Service, Sendable {
    /// Largest websocket frame accepted, bytes.
    public static let maxFrameBytes = 1 << 20

    private let channel: Channel

    /// Binds `host:port` (port 0 picks a free one).
    public init(host: String, port: Int, gate: PushGate,
                onBatch: @escaping @Sendable ([QueueProxyStat.Addressed]) async -> Void) async throws {
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: Self.maxFrameBytes,
            shouldUpgrade: { channel, head in
                // nil declines the upgrade; ProbeHandler then answers the request with 401.
                let refused = gate.authenticate(authorization: head.headers.first(name: "authorization"), at: .activator)
                return channel.eventLoop.makeSucceededFuture(refused == nil ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let source = channel.remoteAddress?.ipAddress ?? ""
                    try channel.pipeline.syncOperations.addHandler(StatFrameHandler(gate: gate, source: source, onBatch: onBatch))
                }
            })
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let probe = ProbeHandler(gate: gate)
                return channel.pipeline.configureHTTPServerPipeline(
                    withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                        context.pipeline.removeHandler(probe, promise: nil)
                    })
                ).flatMap { channel.pipeline.addHandler(probe) }
            }
            .bind(host: host, port: port).get()
    }

    /// The port the server listens on.
    public var port: Int { channel.localAddress?.port ?? 0 }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            self.channel.close(promise: nil)
        }
    }

    /// Closes the listener.
    public func close() async {
        try? await channel.close()
    }
}

/// Answers plain HTTP requests (health probes) with 200, and a websocket upgrade that was
/// declined (no valid token) with 401 and the reason.
private final class ProbeHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let gate: PushGate
    // Touched only on the channel's event loop.
    private var refusal: PushGate.Reason?

    init(gate: PushGate) { self.gate = gate }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            refusal = head.headers.contains(name: "upgrade") ? gate.verify(authorization: head.headers.first(name: "authorization")) : nil
        case .body:
            break
        case .end:
            var headers = HTTPHeaders()
            let body = refusal.map { PushGate.message($0) } ?? ""
            headers.add(name: "Content-Length", value: "\(body.utf8.count)")
            if refusal != nil { headers.add(name: "WWW-Authenticate", value: #"Bearer realm="inferscale-push""#) }
            let status: HTTPResponseStatus = refusal == nil ? .ok : .unauthorized
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            refusal = nil
        }
    }
}

/// Decodes binary frames as `WireStatMessages`; answers pings and closes.
private final class StatFrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let onBatch: @Sendable ([QueueProxyStat.Addressed]) async -> Void
    private let gate: PushGate
    private let source: String
    private var message: [UInt8] = []
    private var collectingBinary = false

    init(gate: PushGate, source: String, onBatch: @escaping @Sendable ([QueueProxyStat.Addressed]) async -> Void) {
        self.gate = gate
        self.source = source
        self.onBatch = onBatch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            message = Array(frame.unmaskedData.readableBytesView)
            collectingBinary = !frame.fin
            if frame.fin { deliver() }
        case .continuation where collectingBinary:
            message += frame.unmaskedData.readableBytesView
            if message.count > ActivatorStatsServer.maxFrameBytes {
                message = []
                collectingBinary = false
            } else if frame.fin {
                collectingBinary = false
                deliver()
            }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .normalClosure)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))).whenComplete { _ in
                context.close(promise: nil)
            }
        default:
            break  // text frames and unexpected continuations are dropped
        }
    }

    private func deliver() {
        let bytes = message
        message = []
        guard gate.admit(source: source, at: .activator) else { return }
        // A malformed batch is dropped; the activator reports again within a second.
        guard let batch = try? QueueProxyStat.decodeBatch(protobuf: bytes) else {
            gate.count(.invalid, at: .activator)
            return
        }
        let onBatch = self.onBatch
        Task { await onBatch(batch) }
    }
}
