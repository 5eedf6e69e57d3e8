import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A raw TCP server on 127.0.0.1 port 0 that answers every HTTP request slowly, piece by piece:
/// a pod that drip-feeds its body, or a slow-loris that dribbles its response head. It writes
/// bytes itself (no HTTP encoder), so it can stop anywhere in a response, and it records how
/// long each connection lived, so a test can tell that the client hung up at its deadline
/// rather than read to the end.
public final class DribblingServer: @unchecked Sendable {
    /// How the answer is dribbled. Every piece is sent `interval` seconds after the previous one;
    /// the number of pieces is bounded, so a connection lasts at most `pieces × interval` seconds.
    public enum Behaviour: Sendable {
        /// The whole head at once (with the body's Content-Length), then the body one sample line
        /// per piece: `lines` lines.
        case dripBody(interval: Double, lines: Int)
        /// The status line, then one header line per piece (`lines` of them), then the end of the
        /// head and a short body.
        case dribbleHead(interval: Double, lines: Int)
    }

    /// One accepted connection: when it was accepted and closed (monotonic), and whether the
    /// whole answer was written before it closed.
    public struct Connection: Sendable {
        public var accepted: ContinuousClock.Instant
        public var closed: ContinuousClock.Instant?
        public var completed: Bool
        /// Seconds from accept to close, or nil while open.
        public var lifetime: Double? {
            closed.map {
                let d = ($0 - accepted).components
                return Double(d.seconds) + Double(d.attoseconds) / 1e18
            }
        }
    }

    private let behaviour: Behaviour
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private let state = NIOLockedValueBox<[Connection]>([])

    public init(_ behaviour: Behaviour) {
        self.behaviour = behaviour
    }

    /// Starts listening; returns the port.
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        return channel.localAddress!.port!
    }

    public func stop() async throws {
        try await channel?.close()
        try await group.shutdownGracefully()
    }

    /// The connections so far, in the order accepted.
    public var connections: [Connection] { state.withLockedValue { $0 } }

    /// Waits until every accepted connection is closed, checking every 10 ms for at most
    /// `seconds`; returns whether they all closed.
    public func waitForClose(atMost seconds: Double) async -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end {
            let connections = self.connections
            if !connections.isEmpty, connections.allSatisfy({ $0.closed != nil }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The pieces of the answer, in order.
    private var pieces: [String] {
        switch behaviour {
        case .dripBody(_, let lines):
            let body = (0..<lines).map { "drip_line{n=\"\($0)\"} \($0)\n" }
            let length = body.reduce(0) { $0 + $1.utf8.count }
            return ["HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(length)\r\n\r\n"] + body
        case .dribbleHead(_, let lines):
            let body = "drip_line 1\n"
            return ["HTTP/1.1 200 OK\r\n"] + (0..<lines).map { "X-Dribble-\($0): \($0)\r\n" }
                + ["Content-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"]
        }
    }

    private var interval: Double {
        switch behaviour {
        case .dripBody(let interval, _), .dribbleHead(let interval, _): interval
        }
    }

    fileprivate func opened() -> Int {
        state.withLockedValue {
            $0.append(Connection(accepted: .now, closed: nil, completed: false))
            return $0.count - 1
        }
    }

    fileprivate func finished(_ index: Int) { state.withLockedValue { $0[index].completed = true } }

    fileprivate func closed(_ index: Int) { state.withLockedValue { $0[index].closed = .now } }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let server: DribblingServer
        var request: [UInt8] = []
        var index = -1
        var answering = false
        var remaining: ArraySlice<String> = []
        var task: RepeatedTask?

        init(server: DribblingServer) { self.server = server }

        func channelActive(context: ChannelHandlerContext) {
            index = server.opened()
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            task?.cancel()
            task = nil
            server.closed(index)
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            request += buffer.readBytes(length: buffer.readableBytes) ?? []
            // Answer once the request head is complete (a GET has no body); cap what is kept.
            guard !answering, request.count <= 64 << 10, containsEndOfHead(request) else { return }
            answering = true
            remaining = server.pieces[...]
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            task = context.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .nanoseconds(Int64(server.interval * 1e9))) { task in
                let context = bound.value
                guard let piece = self.remaining.popFirst() else {
                    task.cancel()
                    context.close(promise: nil)
                    return
                }
                // Marked before the last piece goes out, so a client that has read it all sees it marked.
                if self.remaining.isEmpty { self.server.finished(self.index) }
                context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: piece)), promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }

        private func containsEndOfHead(_ bytes: [UInt8]) -> Bool {
            guard bytes.count >= 4 else { return false }
            for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
                return true
            }
            return false
        }
    }
}
