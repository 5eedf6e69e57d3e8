import Exposition
import Foundation
import Testing
import AutoscalerCore
@testable import ClusterAdapters
import LoopTestKit
#if canImport(Glibc)
import Glibc
#endif

/// A minimal websocket client over a blocking socket with a receive timeout: the handshake,
/// then masked frames, as an activator would send them.
struct RawWebSocketClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw ClientError(message: "connect failed") }
    }

    struct ClientError: Error { var message: String }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    func readResponseHead() -> String {
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while !data.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { break }
            data.append(byte)
        }
        return String(decoding: data, as: UTF8.self)
    }

    func handshake(path: String = "/", token: String? = ActivatorStatsServerTests.token) -> String {
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        send(Array("GET \(path) HTTP/1.1\r\nHost: autoscaler\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\(authorization)Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        return readResponseHead()
    }

    /// A client frame: FIN, opcode, masked payload.
    func frame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            out.append(0x80 | UInt8(payload.count))
        } else {
            out.append(0x80 | 126)
            out.append(UInt8(payload.count >> 8))
            out.append(UInt8(payload.count & 0xff))
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        send(out)
    }

    func close() { Glibc.close(fd) }
}

actor BatchInbox {
    var batches: [[QueueProxyStat.Addressed]] = []
    func add(_ b: [QueueProxyStat.Addressed]) { batches.append(b) }
    /// Waits until `count` batches arrived, at most `seconds`.
    func wait(for count: Int, seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while batches.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return batches.count >= count
    }
}

@Suite struct ActivatorStatsServerTests {
    static let token = "activator-token-0123456789"

    /// A gate accepting `token`. The file is removed at once: the gate keeps the tokens it read
    /// last (as it does when a mounted Secret disappears).
    private func gate(rate: PushRateLimiter.Configuration = .init()) throws -> PushGate {
        let file = try TemporaryTokenFile(Self.token)
        defer { file.remove() }
        return PushGate(tokens: try PushTokenFile(path: file.path), rate: rate)
    }

    private func stat(_ concurrency: Double) -> QueueProxyStat {
        QueueProxyStat(podName: "activator-0", averageConcurrentRequests: concurrency, averageProxiedConcurrentRequests: 0,
                       requestsPerSecond: concurrency, proxiedRequestsPerSecond: 0, processUptime: 1, timestamp: 0)
    }

    @Test func receivesWireStatMessagesOverAWebsocket() async throws {
        let inbox = BatchInbox()
        let server = try await ActivatorStatsServer(host: "127.0.0.1", port: 0, gate: try gate()) { await inbox.add($0) }
        defer { Task { await server.close() } }
        let client = try RawWebSocketClient(port: server.port)
        defer { client.close() }
        #expect(client.handshake().hasPrefix("HTTP/1.1 101"))
        client.frame(opcode: 0x1, Array("ignored text".utf8))
        let batch = QueueProxyStat.protobufBytes(batch: [
            .init(namespace: "llm", name: "chat", stat: stat(3)), .init(namespace: "llm", name: "batch", stat: stat(1)),
        ])
        client.frame(opcode: 0x2, batch)
        // A batch split over a fragment and a continuation.
        let second = QueueProxyStat.protobufBytes(batch: [.init(namespace: "llm", name: "chat", stat: stat(5))])
        client.frame(opcode: 0x2, Array(second.prefix(4)), fin: false)
        client.frame(opcode: 0x0, Array(second.dropFirst(4)))
        client.frame(opcode: 0x2, [0xff, 0xff, 0xff])  // malformed: dropped
        #expect(await inbox.wait(for: 2, seconds: 30))  // returns at once when they arrive; 5 s ran out once in a parallel CI run
        let got = await inbox.batches
        #expect(got.first?.map(\.name) == ["chat", "batch"])
        #expect(got.last?.first?.stat.averageConcurrentRequests == 5)
        try await Task.sleep(for: .milliseconds(100))
        #expect(await inbox.batches.count == 2)
    }

    @Test func plainRequestsAreHealthProbes() async throws {
        let server = try await ActivatorStatsServer(host: "127.0.0.1", port: 0, gate: try gate()) { _ in }
        defer { Task { await server.close() } }
        let client = try RawWebSocketClient(port: server.port)
        defer { client.close() }
        client.send(Array("GET / HTTP/1.1\r\nHost: autoscaler\r\n\r\n".utf8))
        #expect(client.readResponseHead().hasPrefix("HTTP/1.1 200"))
    }

    @Test(arguments: [nil, "wrong-token-0123456789", ""])
    func anUpgradeWithoutTheTokenIsRefused(token: String?) async throws {
        let inbox = BatchInbox()
        let gate = try gate()
        let server = try await ActivatorStatsServer(host: "127.0.0.1", port: 0, gate: gate) { await inbox.add($0) }
        defer { Task { await server.close() } }
        let client = try RawWebSocketClient(port: server.port)
        defer { client.close() }
        let head = client.handshake(token: token)
        #expect(head.hasPrefix("HTTP/1.1 401"), "\(head)")
        #expect(head.lowercased().contains("www-authenticate: bearer"))
        // No websocket: a frame sent anyway is not decoded as a batch.
        client.frame(opcode: 0x2, QueueProxyStat.protobufBytes(batch: [.init(namespace: "llm", name: "chat", stat: stat(3))]))
        try await Task.sleep(for: .milliseconds(200))
        #expect(await inbox.batches.isEmpty)
        let reason: PushGate.Reason = token == nil || token == "" ? .missingToken : .wrongToken
        #expect(gate.rejections[.init(.activator, reason)] == 1)
    }

    @Test func aFloodOfFramesIsRateLimited() async throws {
        let inbox = BatchInbox()
        var rate = PushRateLimiter.Configuration()
        rate.perSecond = 0.001
        rate.burst = 3
        let gate = try gate(rate: rate)
        let server = try await ActivatorStatsServer(host: "127.0.0.1", port: 0, gate: gate) { await inbox.add($0) }
        defer { Task { await server.close() } }
        let client = try RawWebSocketClient(port: server.port)
        defer { client.close() }
        #expect(client.handshake().hasPrefix("HTTP/1.1 101"))
        let batch = QueueProxyStat.protobufBytes(batch: [.init(namespace: "llm", name: "chat", stat: stat(3))])
        for _ in 0..<40 { client.frame(opcode: 0x2, batch) }
        #expect(await inbox.wait(for: 3, seconds: 30))
        let deadline = ContinuousClock.now + .seconds(5)
        while gate.rejections[.init(.activator, .rateLimited)] != 37 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(gate.rejections[.init(.activator, .rateLimited)] == 37)
        #expect(await inbox.batches.count == 3)
    }
}
