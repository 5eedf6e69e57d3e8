import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The scraper's client for plain-HTTP pod endpoints, on SwiftNIO's own HTTP/1.1 codec: one kept-alive connection per
/// pod endpoint and request in flight, one request at a time on each, closed after `idleTimeout` unused. It exists for
/// its cost: async-http-client's per-host pools, state machines and 16 KiB connection buffers cost about twice the
/// parse of a vLLM body in CPU per scrape, and most of a 1,000-target fleet's memory; here an idle connection is the
/// channel, NIO's decoder and a small receive buffer (`receiveBuffer`). https endpoints are not its
/// business (`canServe`): the scraper reads them through async-http-client.
public final class PodHTTPClient: Sendable {
    /// A connection and its handler, which only its event loop touches.
    private struct Connection: Sendable {
        var channel: any Channel
        var handler: NIOLoopBound<PodResponseHandler>
    }

    /// Idle connections by endpoint (`host:port`), each with the time it was put back.
    private struct Idle {
        var byEndpoint: [String: [(since: NIODeadline, connection: Connection)]] = [:]
        var count = 0
    }

    /// What a connection's idle timer finds.
    private enum IdleCheck { case close, checkAgain(at: NIODeadline), inUse }

    /// Receive buffers of one connection, 1 to 4 KiB, and at most four reads before the event loop moves on (a 26 KB
    /// vLLM body takes two wakeups). A connection keeps its buffers while idle: measured with the scrape-cpu benchmark,
    /// 16 KiB buffers held 36 MiB per 1,000 idle pods, 4 KiB ones 26 MiB, at the same CPU per scrape within its noise.
    static let receiveBuffer = AdaptiveRecvByteBufferAllocator(minimum: 1_024, initial: 2_048, maximum: 4_096)
    static let readsPerWakeup: UInt = 4

    private let group: any EventLoopGroup
    private let idleTimeout: TimeAmount
    private let idle = NIOLockedValueBox(Idle())

    /// Connections run on `group`'s event loops; an idle one is closed after `idleTimeout`.
    public init(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, idleTimeout: TimeAmount = .seconds(3)) {
        group = eventLoopGroup
        self.idleTimeout = idleTimeout
    }

    deinit { closeIdleConnections() }

    /// Whether `url` is one this client reads: `http://` with an IP address or a name (not https).
    public static func canServe(_ url: String) -> Bool { PodEndpoint(url) != nil }

    /// Connections kept open for the next scrape, now.
    public var idleConnections: Int { idle.withLockedValue { $0.count } }

    /// Closes every idle connection (at shutdown; the connections in use close when their exchange ends).
    public func closeIdleConnections() {
        let all = idle.withLockedValue { idle in
            defer { idle = Idle() }
            return idle.byEndpoint.values.flatMap { $0.map(\.connection) }
        }
        for connection in all { connection.channel.close(promise: nil) }
    }

    /// One GET of `url` ended at `deadline` (connection, head and body), with the body capped at `limit` bytes and
    /// decoded by `decode` on the event loop that read it. The future fails only with `ScrapeFailure`; `cancel` closes
    /// the request's connection at once. `deadlineSeconds` names the deadline in a timeout's message.
    func get<Output: Sendable>(_ url: String, accept: String, deadline: NIODeadline, deadlineSeconds: Double, limit: Int,
                               decode: @escaping ScrapeBodyDelegate<Output>.Decode) -> (future: EventLoopFuture<Output>, cancel: @Sendable () -> Void) {
        let loop = group.next()
        guard let endpoint = PodEndpoint(url) else {
            return (loop.makeFailedFuture(ScrapeFailure(reason: "connect", url: url, detail: "not a plain http URL")), {})
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.path)
        head.headers.add(name: "Host", value: endpoint.hostHeader)
        head.headers.add(name: "Accept", value: accept)
        head.headers.add(name: "User-Agent", value: "inferscale")
        let request = Request(url: url, endpoint: endpoint, head: head, limit: limit, deadline: deadline, deadlineSeconds: deadlineSeconds)
        let inUse = NIOLockedValueBox<(cancelled: Bool, connection: Connection?)>((false, nil))
        let cancel: @Sendable () -> Void = {
            let connection = inUse.withLockedValue { state in
                state.cancelled = true
                return state.connection
            }
            guard let connection else { return }
            connection.channel.eventLoop.execute {
                // Still this request's: an ended exchange lets go of its connection on this loop before anyone reuses it.
                guard inUse.withLockedValue({ $0.connection != nil }) else { return }
                connection.handler.value.cancel()
            }
        }
        if let pooled = take(endpoint.key) {
            let promise = pooled.channel.eventLoop.makePromise(of: Output.self)
            run(request, on: pooled, reused: true, inUse: inUse, promise: promise, decode: decode)
            return (promise.futureResult, cancel)
        }
        let promise = loop.makePromise(of: Output.self)
        connectAndRun(request, on: loop, inUse: inUse, promise: promise, decode: decode)
        return (promise.futureResult, cancel)
    }

    // MARK: - One exchange

    private struct Request: Sendable {
        var url: String
        var endpoint: PodEndpoint
        var head: HTTPRequestHead
        var limit: Int
        var deadline: NIODeadline
        var deadlineSeconds: Double
    }

    private func connectAndRun<Output: Sendable>(_ request: Request, on loop: any EventLoop,
                                                 inUse: NIOLockedValueBox<(cancelled: Bool, connection: Connection?)>,
                                                 promise: EventLoopPromise<Output>, decode: @escaping ScrapeBodyDelegate<Output>.Decode) {
        let remaining = request.deadline - .now()
        guard remaining > .zero else {
            promise.fail(timeout(request))
            return
        }
        connect(request.endpoint, on: loop, within: remaining).whenComplete { result in
            switch result {
            case .success(let connection):
                self.run(request, on: connection, reused: false, inUse: inUse, promise: promise, decode: decode)
            case .failure(let error as ChannelError):
                if case .connectTimeout = error {
                    promise.fail(self.timeout(request))
                } else {
                    promise.fail(ScrapeFailure(reason: "connect", url: request.url, detail: "\(error)"))
                }
            case .failure(let error):
                promise.fail(ScrapeFailure(reason: "connect", url: request.url, detail: "\(error)"))
            }
        }
    }

    private func run<Output: Sendable>(_ request: Request, on connection: Connection, reused: Bool,
                                       inUse: NIOLockedValueBox<(cancelled: Bool, connection: Connection?)>,
                                       promise: EventLoopPromise<Output>, decode: @escaping ScrapeBodyDelegate<Output>.Decode) {
        let cancelled = inUse.withLockedValue { state in
            state.connection = connection
            return state.cancelled
        }
        guard !cancelled else {
            connection.channel.close(promise: nil)
            promise.fail(ScrapeFailure(reason: "connect", url: request.url, detail: "the scrape was cancelled"))
            return
        }
        let loop = connection.channel.eventLoop
        let start: @Sendable () -> Void = {
            connection.handler.value.start(PodResponseHandler.Exchange(
                head: request.head, url: request.url, limit: request.limit, deadline: request.deadline,
                deadlineSeconds: request.deadlineSeconds
            ) { outcome in
                inUse.withLockedValue { $0.connection = nil }
                switch outcome {
                case .answered(let body, let contentType, let keepAlive):
                    if keepAlive { self.putBack(connection, for: request.endpoint.key) }
                    do {
                        promise.succeed(try decode(body, contentType))
                    } catch {
                        promise.fail(error)
                    }
                case .failed(let failure, let nothingRead):
                    if reused && nothingRead {
                        // The pod had closed the kept-alive connection; the request never reached it.
                        self.connectAndRun(request, on: loop, inUse: inUse, promise: promise, decode: decode)
                    } else {
                        promise.fail(failure)
                    }
                }
            })
        }
        if loop.inEventLoop { start() } else { loop.execute(start) }
    }

    private func timeout(_ request: Request) -> ScrapeFailure {
        ScrapeFailure(reason: "timeout", url: request.url, detail: "no answer within the \(request.deadlineSeconds) s deadline")
    }

    // MARK: - Connections

    private func connect(_ endpoint: PodEndpoint, on loop: any EventLoop, within remaining: TimeAmount) -> EventLoopFuture<Connection> {
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(remaining)
            .channelOption(.recvAllocator, value: Self.receiveBuffer)
            .channelOption(.maxMessagesPerRead, value: Self.readsPerWakeup)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(PodResponseHandler())
                }
            }
        // An IP address (every pod's) needs no resolver.
        let connected = (try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port)).map { bootstrap.connect(to: $0) }
            ?? bootstrap.connect(host: endpoint.host, port: endpoint.port)
        return connected.flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: PodResponseHandler.self)
            let connection = Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
            // A connection the pod closes while idle leaves the pool.
            channel.closeFuture.whenComplete { [weak self] _ in self?.drop(channel, for: endpoint.key) }
            return connection
        }
    }

    private func take(_ key: String) -> Connection? {
        idle.withLockedValue { idle in
            guard var list = idle.byEndpoint[key], let last = list.popLast() else { return nil }
            idle.byEndpoint[key] = list.isEmpty ? nil : list
            idle.count -= 1
            return last.connection
        }
    }

    /// Puts a connection back for the next scrape of its endpoint, on the connection's event loop. Its idle timer is
    /// set only when none is: one that fires early finds when the connection was last put back and is set again for
    /// then, so a connection scraped every second costs a timer every `idleTimeout`, not one per scrape.
    private func putBack(_ connection: Connection, for key: String) {
        let now = NIODeadline.now()
        idle.withLockedValue { idle in
            idle.byEndpoint[key, default: []].append((now, connection))
            idle.count += 1
        }
        let handler = connection.handler.value
        guard !handler.idleTimerSet else { return }
        handler.idleTimerSet = true
        setIdleTimer(connection, for: key, at: now + idleTimeout)
    }

    private func setIdleTimer(_ connection: Connection, for key: String, at deadline: NIODeadline) {
        connection.channel.eventLoop.scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            switch self.checkIdle(connection, for: key) {
            case .close:
                connection.channel.close(promise: nil)
            case .checkAgain(let deadline):
                self.setIdleTimer(connection, for: key, at: deadline)
            case .inUse:
                connection.handler.value.idleTimerSet = false  // the next putBack sets it
            }
        }
    }

    /// Takes the connection out if it has idled for `idleTimeout`.
    private func checkIdle(_ connection: Connection, for key: String) -> IdleCheck {
        idle.withLockedValue { idle in
            guard var list = idle.byEndpoint[key], let index = list.firstIndex(where: { $0.connection.channel === connection.channel }) else { return .inUse }
            let until = list[index].since + idleTimeout
            guard until <= .now() else { return .checkAgain(at: until) }
            list.remove(at: index)
            idle.byEndpoint[key] = list.isEmpty ? nil : list
            idle.count -= 1
            return .close
        }
    }

    private func drop(_ channel: any Channel, for key: String) {
        idle.withLockedValue { idle in
            guard var list = idle.byEndpoint[key], let index = list.firstIndex(where: { $0.connection.channel === channel }) else { return }
            list.remove(at: index)
            idle.byEndpoint[key] = list.isEmpty ? nil : list
            idle.count -= 1
        }
    }
}

