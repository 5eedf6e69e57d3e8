import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import PodTestKit

/// A child process of the fleet benchmark (`--serve-fleet COUNT [--first K] [--port P]`): COUNT pods
/// from pod K on, each its own address on 127.0.0.0/8 (pod i at `FleetAddresses.ip(i)`) on one shared
/// port (P, or one the system picks; `FleetPodServers` starts several on the same port), serving a body
/// shaped like ../shared/fixtures/metrics/vllm.txt whose `vllm:num_requests_running` is the
/// pod's load. Standard input sets behaviour, one command a line: `run IP VALUE`, `delay IP
/// SECONDS` (answer that late), `drip IP SECONDS` (send the body a byte every 250 ms for that
/// long). Prints the port once every address is bound; exits when standard input closes.
func serveFleet(count: Int, first: Int = 0, port wanted: Int = 0) async throws {
    let fixture = String(decoding: try Fixtures.metrics("vllm"), as: UTF8.self)
    let lines = fixture.split(separator: "\n", omittingEmptySubsequences: false)
    guard let running = lines.firstIndex(where: { $0.hasPrefix("vllm:num_requests_running{") }) else {
        throw FleetError(message: "the vLLM fixture has no vllm:num_requests_running sample")
    }
    let before = lines[..<running].joined(separator: "\n") + "\n"
    let after = "\n" + lines[(running + 1)...].joined(separator: "\n")
    let runningPrefix = String(lines[running].prefix { $0 != "}" }) + "} "
    let state = FleetPodState(before: Array(before.utf8), runningPrefix: Array(runningPrefix.utf8), after: Array(after.utf8))

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let bootstrap = ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(FleetPodHandler(state: state)) }
        }
    var channels: [Channel] = []
    let firstChannel = try await bootstrap.bind(host: FleetAddresses.ip(first), port: wanted).get()
    let port = firstChannel.localAddress!.port!
    channels.append(firstChannel)
    for i in 1..<max(1, count) { channels.append(try await bootstrap.bind(host: FleetAddresses.ip(first + i), port: port).get()) }
    FileHandle.standardOutput.write(Data("\(port)\n".utf8))
    while let line = readLine() {
        let parts = line.split(separator: " ")
        guard parts.count == 3, let value = Double(parts[2]) else { continue }
        state.set(String(parts[1])) { pod in
            switch parts[0] {
            case "run": pod.running = value
            case "delay": pod.delay = value
            case "drip": pod.drip = value
            default: break
            }
        }
    }
    for c in channels { try? await c.close() }
    try await group.shutdownGracefully()
}

/// Pod i's address: 127.x.y.z with y and z in 1…250.
enum FleetAddresses {
    static func ip(_ i: Int) -> String { "127.\(1 + i / 62_500).\(1 + (i / 250) % 250).\(1 + i % 250)" }
}

struct FleetError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Each pod's behaviour, by address.
final class FleetPodState: Sendable {
    struct Pod: Sendable {
        var running = 0.0
        var delay = 0.0
        var drip = 0.0
    }
    private let pods = NIOLockedValueBox<[String: Pod]>([:])
    let before: [UInt8], runningPrefix: [UInt8], after: [UInt8]

    init(before: [UInt8], runningPrefix: [UInt8], after: [UInt8]) {
        self.before = before
        self.runningPrefix = runningPrefix
        self.after = after
    }

    func set(_ ip: String, _ change: (inout Pod) -> Void) { pods.withLockedValue { change(&$0[ip, default: Pod()]) } }
    func pod(_ ip: String) -> Pod { pods.withLockedValue { $0[ip] ?? Pod() } }

    func body(_ pod: Pod) -> [UInt8] { before + runningPrefix + Array("\(pod.running)".utf8) + after }
}

private final class FleetPodHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let state: FleetPodState
    init(state: FleetPodState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let ip = context.channel.localAddress?.ipAddress ?? ""
        let pod = state.pod(ip)
        let body = state.body(pod)
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: [
            "Content-Type": "text/plain; version=0.0.4", "Content-Length": "\(body.count)",
        ])
        let loop = context.eventLoop
        let ctx = NIOLoopBound(context, eventLoop: loop)
        if pod.drip > 0 {
            // Headers at once, then a byte every 250 ms until the time is up; then the connection closes.
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.flush()
            let end = NIODeadline.now() + .milliseconds(Int64(pod.drip * 1000))
            drip(ctx, body: body, offset: 0, until: end)
            return
        }
        let respond: @Sendable () -> Void = {
            let context = ctx.value
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
        if pod.delay > 0 {
            loop.scheduleTask(in: .milliseconds(Int64(pod.delay * 1000))) { if ctx.value.channel.isActive { respond() } }
        } else {
            respond()
        }
    }

    /// Sends the next byte in 250 ms, until the time is up; then closes the connection.
    private func drip(_ ctx: NIOLoopBound<ChannelHandlerContext>, body: [UInt8], offset: Int, until end: NIODeadline) {
        ctx.value.eventLoop.scheduleTask(in: .milliseconds(250)) {
            let context = ctx.value
            guard context.channel.isActive else { return }
            if NIODeadline.now() >= end || offset >= body.count {
                context.close(promise: nil)
                return
            }
            var buffer = context.channel.allocator.buffer(capacity: 1)
            buffer.writeInteger(body[offset])
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            self.drip(ctx, body: body, offset: offset + 1, until: end)
        }
    }
}
