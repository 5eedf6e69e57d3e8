import Foundation
import NIOCore
import NIOHTTP1

/// Reads one HTTP request at a time (body capped) and hands it to the server.
final class FakeAPIHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Largest request body accepted, in bytes.
    static let maxBodyBytes = 4 * 1024 * 1024

    private let server: FakeKubernetesAPIServer
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(server: FakeKubernetesAPIServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            tooLarge = false
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes > Self.maxBodyBytes {
                tooLarge = true
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if tooLarge {
                server.respond(
                    on: context.channel, status: 413,
                    body: FakeClusterStore.status(code: 413, reason: "RequestEntityTooLarge", message: "request body too large"),
                    delay: nil)
                return
            }
            server.dispatch(head: head, body: Data(body.readableBytesView), channel: context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Deferred: a close can happen inside a write made while the server holds its store lock (on this
        // thread), and the lock is not re-entrant.
        let channel = context.channel
        let server = self.server
        context.eventLoop.execute { server.channelClosed(channel) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
