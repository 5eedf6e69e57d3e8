import AsyncHTTPClient
import ClusterAdapters
import NIOCore
import NIOPosix
import Testing

/// A client that stops sending mid-request (slow loris) is disconnected after the read timeout, so stuck
/// connections cannot pile up on the endpoints.
@Suite struct HTTPServerTimeoutTests {
    @Test func aStalledRequestIsClosedAfterTheReadTimeout() async throws {
        let server = try await HTTPServer(host: "127.0.0.1", port: 0, readTimeout: .milliseconds(300)) { _ in .init(status: 200, text: "ok\n") }
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let started = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: server.port).get()
        // Half a request head, then nothing. (On a loaded machine the server may already have given up on
        // the silent connection before this write: that is the behaviour under test too.)
        try? await channel.writeAndFlush(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")).get()
        let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await channel.closeFuture.get(); return true }
            group.addTask { try await Task.sleep(for: .seconds(5)); return false }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(closed, "the server kept a stalled connection open for 5 s")
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        if !closed { try? await channel.close() }
    }

    /// The read timeout is for silent clients, not slow answers: a request read in full is answered
    /// even when the handler takes longer than the timeout (as it does when the process is busy).
    @Test func aSlowAnswerIsStillSentAfterTheReadTimeout() async throws {
        let server = try await HTTPServer(host: "127.0.0.1", port: 0, readTimeout: .milliseconds(200)) { _ in
            try? await Task.sleep(for: .milliseconds(900))
            return .init(status: 200, text: "late but here\n")
        }
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/slow")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 16)
        #expect(response.status == .ok)
        #expect(String(buffer: body) == "late but here\n")
    }
}
