import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 port 0 that answers each HTTP request (read up to its blank line) with bytes written
/// as they are, so a test can send what a codec would refuse to produce: an HTTP/1.0 answer that ends at close, a body
/// cut off half way, nothing at all. Counts connections accepted, still open, and requests.
final class RawAnswerServer: Sendable {
    /// What every request gets.
    enum Answer: Sendable {
        /// These bytes, then the connection stays open (or is closed, with `close`).
        case bytes(String, close: Bool)
        /// Nothing: the request is read and the connection held open.
        case silence
    }

    struct Counts: Sendable {
        var accepted = 0, open = 0, requests = 0
        /// Seconds from accept to close of each closed connection, as the server's event loop saw them.
        var lifetimes: [Double] = []
    }

    private let answer: Answer
    private let counts = NIOLockedValueBox(Counts())
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    init(_ answer: Answer) { self.answer = answer }

    var seen: Counts { counts.withLockedValue { $0 } }

    /// Starts listening; returns the port.
    func start() async throws -> Int {
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress!.port!
    }

    func stop() async throws { try await channel.withLockedValue { $0 }?.close() }

    /// Waits (at most `seconds`, checking every 20 ms) until no connection is open; returns whether none is.
    func waitUntilNoneOpen(atMost seconds: Double) async -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while seen.open > 0, ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
        return seen.open == 0
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let server: RawAnswerServer
        var pending: [UInt8] = []
        var accepted = ContinuousClock.now

        init(server: RawAnswerServer) { self.server = server }

        func channelActive(context: ChannelHandlerContext) {
            accepted = .now
            server.counts.withLockedValue { $0.accepted += 1; $0.open += 1 }
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            let lifetime = (ContinuousClock.now - accepted) / .seconds(1)
            server.counts.withLockedValue { $0.open -= 1; $0.lifetimes.append(lifetime) }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += unwrapInboundIn(data).readableBytesView
            let end = Array("\r\n\r\n".utf8)
            while let at = pending.indices.dropLast(3).first(where: { Array(pending[$0..<$0 + 4]) == end }) {
                pending.removeFirst(at + 4)
                server.counts.withLockedValue { $0.requests += 1 }
                switch server.answer {
                case .silence:
                    break
                case .bytes(let text, let close):
                    let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)))
                    let channel = context.channel
                    if close { written.whenComplete { _ in channel.close(promise: nil) } }
                }
            }
        }
    }
}
