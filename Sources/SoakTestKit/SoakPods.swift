import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import PodTestKit

/// The soak's pods: one vLLM-shaped metrics endpoint per loopback address (127.0.9.N) on one shared port,
/// in-process on one event loop. Each address is healthy with a load (`vllm:num_requests_running`), hangs past
/// the scrape deadline, sends garbage, or is gone (its listener closed: connection refused).
public final class SoakPods: Sendable {
    /// What an address does when scraped.
    public enum Mode: Sendable, Equatable {
        case healthy
        /// Answers after this many seconds.
        case hanging(Double)
        /// Answers 200 with these bytes.
        case garbage([UInt8])
        /// Not listening.
        case dead
    }

    struct Endpoint {
        var running = 10
        var mode = Mode.healthy
        var channel: (any Channel)?
    }

    private let endpoints = NIOLockedValueBox<[String: Endpoint]>([:])
    private let body: (before: [UInt8], after: [UInt8])
    /// The port every address listens on.
    public let port: Int

    /// The address of pod slot `i` (0-based).
    public static func address(_ i: Int) -> String { "127.0.9.\(10 + i)" }

    /// Binds `count` addresses on one free port.
    public static func start(count: Int) async throws -> SoakPods {
        let fixture = String(decoding: try Fixtures.metrics("vllm"), as: UTF8.self)
        var lines = fixture.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let running = lines.firstIndex(where: { $0.hasPrefix("vllm:num_requests_running{") }) else {
            throw SoakError(message: "the vLLM fixture has no vllm:num_requests_running sample")
        }
        let prefix = String(lines[running].prefix { $0 != "}" }) + "} "
        let after = "\n" + lines[(running + 1)...].joined(separator: "\n")
        lines.removeSubrange(running...)
        let before = lines.joined(separator: "\n") + "\n" + prefix
        let box = NIOLockedValueBox<SoakPods?>(nil)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let first = try await Self.bind(group: group, host: address(0), port: 0, owner: box)
        let port = first.localAddress?.port ?? 0
        let pods = SoakPods(group: group, port: port, before: Array(before.utf8), after: Array(after.utf8))
        box.withLockedValue { $0 = pods }
        pods.endpoints.withLockedValue { $0[address(0)] = Endpoint(channel: first) }
        for i in 1..<max(1, count) {
            let channel = try await Self.bind(group: group, host: address(i), port: port, owner: box)
            pods.endpoints.withLockedValue { $0[address(i)] = Endpoint(channel: channel) }
        }
        return pods
    }

    private init(group: MultiThreadedEventLoopGroup, port: Int, before: [UInt8], after: [UInt8]) {
        self.port = port
        body = (before, after)
        _group = group
    }
    private let _group: MultiThreadedEventLoopGroup

    private static func bind(group: MultiThreadedEventLoopGroup, host: String, port: Int, owner: NIOLockedValueBox<SoakPods?>) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(SoakPodHandler(pods: owner))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Sets the load an address reports.
    public func setRunning(_ address: String, _ running: Int) { endpoints.withLockedValue { $0[address]?.running = running } }

    /// The load an address reports when healthy.
    public func running(_ address: String) -> Int { endpoints.withLockedValue { $0[address]?.running ?? 0 } }

    /// Sets what an address does; `.dead` closes its listener, leaving `.dead` binds it again.
    public func setMode(_ address: String, _ mode: Mode) async throws {
        let (old, channel) = endpoints.withLockedValue { e -> (Mode?, (any Channel)?) in
            let old = e[address]?.mode
            e[address]?.mode = mode
            if mode == .dead, old != .dead { defer { e[address]?.channel = nil }; return (old, e[address]?.channel) }
            return (old, nil)
        }
        if let channel { try? await channel.close() }
        if old == .dead, mode != .dead {
            let box = NIOLockedValueBox<SoakPods?>(self)
            let channel = try await Self.bind(group: _group, host: address, port: port, owner: box)
            endpoints.withLockedValue { $0[address]?.channel = channel }
        }
    }

    func response(for address: String) -> (mode: Mode, body: [UInt8]) {
        let e = endpoints.withLockedValue { $0[address] ?? Endpoint() }
        return (e.mode, body.before + Array("\(e.running)".utf8) + body.after)
    }

    /// Closes every listener.
    public func stop() async {
        let channels = endpoints.withLockedValue { e in e.values.compactMap(\.channel) }
        for c in channels { try? await c.close() }
        try? await _group.shutdownGracefully()
    }
}

private final class SoakPodHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let pods: NIOLockedValueBox<SoakPods?>
    init(pods: NIOLockedValueBox<SoakPods?>) { self.pods = pods }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data), let pods = pods.withLockedValue({ $0 }) else { return }
        let (mode, healthyBody) = pods.response(for: context.channel.localAddress?.ipAddress ?? "")
        var body = healthyBody
        var delay = 0.0
        switch mode {
        case .healthy, .dead: break
        case .hanging(let seconds): delay = seconds
        case .garbage(let bytes): body = bytes
        }
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: [
            "Content-Type": "text/plain; version=0.0.4", "Content-Length": "\(body.count)",
        ])
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        let respond: @Sendable () -> Void = { [body] in
            let context = ctx.value
            guard context.channel.isActive else { return }
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
        if delay > 0 {
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) { respond() }
        } else {
            respond()
        }
    }
}

/// A soak could not be set up, or ran past its wall-clock limit.
public struct SoakError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
