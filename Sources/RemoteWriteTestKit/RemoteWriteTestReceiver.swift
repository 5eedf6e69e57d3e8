import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RemoteWrite

/// A remote-write receiver for tests on 127.0.0.1 (port 0): it decodes and checks every request
/// (2.0 strictly), records it, and answers the way a 2.0 or an old 1.x receiver would, or with
/// scripted answers (503, 429 with Retry-After, 400) to drive retries.
public final class RemoteWriteTestReceiver: Sendable {
    /// How the receiver treats a 2.0 request.
    public enum Behaviour: Sendable {
        /// A 2.0 receiver: decodes it, answers 204 with the written-count headers.
        case speaksV2
        /// Rejects it with 415 Unsupported Media Type (a receiver that checks Content-Type).
        case rejectsV2With415
        /// Like Prometheus 2.42: ignores Content-Type, decodes the body as 1.0 (finds nothing) and answers 204 without written-count headers.
        case ignoresV2
    }

    /// A scripted answer, used (once, in order) before the normal behaviour.
    public struct Answer: Sendable {
        /// HTTP status.
        public var status: Int
        /// Extra response headers, e.g. `Retry-After`.
        public var headers: [(String, String)]
        public init(status: Int, headers: [(String, String)] = []) {
            self.status = status
            self.headers = headers
        }
    }

    /// One request as received.
    public struct Request: Sendable {
        /// The request headers (names as sent).
        public var headers: [(String, String)]
        /// The version the body was decoded as (from Content-Type).
        public var decodedAs: RemoteWriteVersion
        /// The decoded series (empty when decoding failed).
        public var series: [DecodedSeries]
        /// The 2.0 symbols table (empty for 1.0).
        public var symbols: [String]
        /// A decoding or header problem, if any (the receiver answered 400).
        public var problem: String?
        /// The status the receiver answered.
        public var status: Int
        /// When the request was complete.
        public var receivedAt: ContinuousClock.Instant = .now
        /// Whether the samples count as written (2xx and decoded).
        public var accepted: Bool { (200..<300).contains(status) && problem == nil }

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    struct State {
        var behaviour: Behaviour
        var script: [Answer] = []
        /// While down, every request is answered 503 (an outage), before the script.
        var down = false
        var requests: [Request] = []
        var waiters: [Int: (predicate: @Sendable ([Request]) -> Bool, continuation: CheckedContinuation<[Request], any Error>)] = [:]
        var nextWaiter = 0
    }

    let state: NIOLockedValueBox<State>
    let channel: NIOLockedValueBox<(any Channel)?>
    /// The TCP port it listens on (127.0.0.1).
    public let port: Int
    /// Whether it serves HTTPS (with `TestCertificates`).
    public let usesTLS: Bool

    /// The URL to send remote-write requests to.
    public var url: String { "\(usesTLS ? "https" : "http")://127.0.0.1:\(port)/api/v1/write" }

    private init(channel: any Channel, state: NIOLockedValueBox<State>, usesTLS: Bool) {
        self.state = state
        self.channel = NIOLockedValueBox(channel)
        self.port = channel.localAddress?.port ?? 0
        self.usesTLS = usesTLS
    }

    /// Starts a receiver on 127.0.0.1 with a free port; with `tls`, it serves HTTPS with the
    /// server certificate of `TestCertificates` (trust `TestCertificates.caPEM`).
    public static func start(behaviour: Behaviour = .speaksV2, tls: Bool = false) async throws -> RemoteWriteTestReceiver {
        let state = NIOLockedValueBox(State(behaviour: behaviour))
        var sslContext: NIOSSLContext? = nil
        if tls {
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(TestCertificates.serverCertificatePEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificates.serverKeyPEM.utf8), format: .pem))
            )
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let context = sslContext
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RemoteWriteTestReceiver(channel: channel, state: state, usesTLS: tls)
    }

    /// Answers the next requests with these, in order, before behaving normally again.
    public func script(_ answers: [Answer]) {
        state.withLockedValue { $0.script.append(contentsOf: answers) }
    }

    /// Takes the receiver down (every request answered 503 Service Unavailable) or brings it back.
    public func setDown(_ down: Bool) {
        state.withLockedValue { $0.down = down }
    }

    /// Every request so far.
    public var requests: [Request] { state.withLockedValue { $0.requests } }

    /// All samples of accepted requests, per series (keyed by the label description), in arrival order.
    public var acceptedSamples: [String: [DecodedSample]] {
        var result: [String: [DecodedSample]] = [:]
        for r in requests where r.accepted {
            for s in r.series { result["\(Labels(s.labels))", default: []].append(contentsOf: s.samples) }
        }
        return result
    }

    /// Waits until `predicate` holds for the requests received, or throws after `timeout`.
    @discardableResult
    public func waitFor(
        _ what: String, timeout: Duration = .seconds(10),
        until predicate: @escaping @Sendable ([Request]) -> Bool
    ) async throws -> [Request] {
        try await withThrowingTaskGroup(of: [Request].self) { group in
            group.addTask { try await self.waitUnbounded(predicate) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestKitTimeout(message: "timed out after \(timeout) waiting for \(what); \(self.requests.count) requests received")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func waitUnbounded(_ predicate: @escaping @Sendable ([Request]) -> Bool) async throws -> [Request] {
        let id = state.withLockedValue { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Request], any Error>) in
                let ready: [Request]? = state.withLockedValue { s in
                    if predicate(s.requests) { return s.requests }
                    if Task.isCancelled { return [] }
                    s.waiters[id] = (predicate, continuation)
                    return nil
                }
                if let ready {
                    if Task.isCancelled && !predicate(ready) { continuation.resume(throwing: CancellationError()) } else { continuation.resume(returning: ready) }
                }
            }
        } onCancel: {
            let waiter = state.withLockedValue { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Stops listening and closes the port.
    public func stop() async {
        let ch = channel.withLockedValue { c in
            defer { c = nil }
            return c
        }
        try? await ch?.close()
    }

    // Called on the event loop with a complete request; returns the answer.
    static func handle(state: NIOLockedValueBox<State>, head: HTTPRequestHead, body: [UInt8]) -> (Int, [(String, String)]) {
        let headers = head.headers.map { ($0.name, $0.value) }
        let contentType = head.headers.first(name: "Content-Type") ?? ""
        let isV2 = contentType.replacingSpaces.lowercased() == "application/x-protobuf;proto=io.prometheus.write.v2.request"
        var request = Request(headers: headers, decodedAs: isV2 ? .v2 : .v1, series: [], symbols: [], problem: nil, status: 204)
        var answerHeaders: [(String, String)] = []

        let (behaviour, scripted) = state.withLockedValue { s in
            (s.behaviour, s.down ? Answer(status: 503) : s.script.isEmpty ? nil : s.script.removeFirst())
        }
        var problems: [String] = []
        if head.method != .POST { problems.append("method \(head.method) is not POST") }
        if head.headers.first(name: "Content-Encoding") != "snappy" { problems.append("Content-Encoding is not snappy") }
        if !contentType.hasPrefix("application/x-protobuf") { problems.append("Content-Type '\(contentType)' is not application/x-protobuf") }
        let expectedVersion = isV2 ? "2.0.0" : "0.1.0"
        if head.headers.first(name: "X-Prometheus-Remote-Write-Version") != expectedVersion {
            problems.append("X-Prometheus-Remote-Write-Version is '\(head.headers.first(name: "X-Prometheus-Remote-Write-Version") ?? "")', expected \(expectedVersion)")
        }
        if (head.headers.first(name: "User-Agent") ?? "").isEmpty { problems.append("no User-Agent") }

        if isV2, scripted == nil {
            switch behaviour {
            case .rejectsV2With415:
                request.status = 415
                record(state: state, request)
                return (415, [])
            case .ignoresV2:
                // An old receiver decodes the 2.0 body as a 1.0 message: reserved fields 1-3 are absent, so nothing.
                request.decodedAs = .v1
                if let raw = try? Snappy.decompress(body), let series = try? RemoteWriteDecoder.decodeV1(raw) { request.series = series }
                record(state: state, request)
                return (204, [])
            case .speaksV2:
                break
            }
        }
        if problems.isEmpty {
            do {
                let raw = try Snappy.decompress(body)
                if isV2 {
                    let decoded = try RemoteWriteDecoder.decodeV2(raw)
                    request.series = decoded.series
                    request.symbols = decoded.symbols
                } else {
                    request.series = try RemoteWriteDecoder.decodeV1(raw)
                }
                for s in request.series { try RemoteWriteDecoder.checkLabels(s.labels) }
            } catch {
                problems.append("\(error)")
            }
        }
        let sampleCount = request.series.reduce(0) { $0 + $1.samples.count }
        if !problems.isEmpty {
            request.problem = problems.joined(separator: "; ")
            request.status = 400
        } else if let scripted {
            request.status = scripted.status
            answerHeaders = scripted.headers
        }
        if isV2 {
            let written = request.accepted ? sampleCount : 0
            answerHeaders += [
                ("X-Prometheus-Remote-Write-Samples-Written", "\(written)"),
                ("X-Prometheus-Remote-Write-Histograms-Written", "0"),
                ("X-Prometheus-Remote-Write-Exemplars-Written", "0"),
            ]
        }
        record(state: state, request)
        return (request.status, answerHeaders)
    }

    static func record(state: NIOLockedValueBox<State>, _ request: Request) {
        let ready: [(CheckedContinuation<[Request], any Error>, [Request])] = state.withLockedValue { s in
            s.requests.append(request)
            var fire: [(CheckedContinuation<[Request], any Error>, [Request])] = []
            for (id, w) in s.waiters where w.predicate(s.requests) {
                fire.append((w.continuation, s.requests))
                s.waiters[id] = nil
            }
            return fire
        }
        for (c, r) in ready { c.resume(returning: r) }
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let state: NIOLockedValueBox<State>
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        static let maxBody = 32 << 20

        init(state: NIOLockedValueBox<State>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body.removeAll(keepingCapacity: true)
            case .body(var buffer):
                if body.count + buffer.readableBytes <= Self.maxBody {
                    body += buffer.readBytes(length: buffer.readableBytes) ?? []
                }
            case .end:
                guard let head else { return }
                let (status, headers) = RemoteWriteTestReceiver.handle(state: state, head: head, body: body)
                var responseHeaders = HTTPHeaders(headers)
                responseHeaders.add(name: "Content-Length", value: "0")
                let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: responseHeaders)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                self.head = nil
            }
        }
    }
}

/// A test waited too long for something.
public struct TestKitTimeout: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension String {
    var replacingSpaces: String { String(filter { $0 != " " }) }
}
