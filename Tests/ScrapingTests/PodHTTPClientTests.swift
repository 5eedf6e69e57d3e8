import NIOCore
import NIOPosix
import PodTestKit
import Testing
@testable import Scraping

/// The lean pod client against real servers on 127.0.0.1: kept-alive connections reused and closed when idle, bodies
/// of every framing read, and every way a pod can fail ending in the scrape failure the scraper has always given
/// (the Scrape* suites run the same cases through the `Scraper`). Deadlines are generous where they only bound a wait
/// (the suites run in parallel on two cores); where a deadline is what is tested, it is short and the bound loose.
@Suite struct PodHTTPClientTests {
    static let ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 6\r\n\r\na 1\nb\n"

    @Test func aKeptAliveConnectionCarriesTheNextScrape() async throws {
        try await withServer(.bytes(Self.ok, close: false)) { server, port, client in
            for _ in 0..<3 { try #expect(body(await get(client, port)) == "a 1\nb\n") }
            #expect(server.seen.accepted == 1, "a scrape opened a connection of its own")
            #expect(server.seen.requests == 3)
            #expect(client.idleConnections == 1)
        }
    }

    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withServer(.bytes(Self.ok, close: false), idleTimeout: .milliseconds(300)) { server, port, client in
            _ = try body(await get(client, port))
            #expect(await server.waitUntilNoneOpen(atMost: 30), "the idle connection was still open 30 s after the scrape")
            #expect(client.idleConnections == 0)
            _ = try body(await get(client, port))
            #expect(server.seen.accepted == 2)
        }
    }

    static let framings: [(String, String)] = [
        ("content-length", "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nx 1\ny 2\nz 3\n"),
        ("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nx 1\n\r\n8\r\ny 2\nz 3\n\r\n0\r\n\r\n"),
    ]

    @Test(arguments: framings)
    func aBodyIsReadWhateverItsFraming(_ name: String, _ answer: String) async throws {
        try await withServer(.bytes(answer, close: false)) { _, port, client in
            try #expect(body(await get(client, port)) == "x 1\ny 2\nz 3\n", "\(name)")
        }
    }

    @Test func anHTTP10AnswerEndsAtCloseAndIsNotKept() async throws {
        try await withServer(.bytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold 1\n", close: true)) { server, port, client in
            try #expect(body(await get(client, port)) == "old 1\n")
            try #expect(body(await get(client, port)) == "old 1\n")
            #expect(server.seen.accepted == 2, "a connection the pod did not keep alive was reused")
            #expect(client.idleConnections == 0)
        }
    }

    @Test func aKeptAliveConnectionThePodClosedIsReplaced() async throws {
        // HTTP/1.1 without `Connection: close`, then the pod hangs up: the client may still hold the connection when
        // the next scrape comes, which must then go out on a new one.
        try await withServer(.bytes(Self.ok, close: true)) { server, port, client in
            for _ in 0..<3 { try #expect(body(await get(client, port)) == "a 1\nb\n") }
            #expect(server.seen.accepted == 3)
        }
    }

    @Test(arguments: [404, 500])
    func aStatusOtherThan200IsAStatusFailure(_ code: Int) async throws {
        try await withServer(.bytes("HTTP/1.1 \(code) No\r\nContent-Length: 2\r\n\r\nno", close: false)) { _, port, client in
            let failure = try failed(await get(client, port))
            #expect(failure.reason == "status")
            #expect(failure.detail == "HTTP \(code)")
        }
    }

    static let oversized: [(String, String)] = [
        ("declared", "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n"),
        ("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + String(repeating: "x", count: 64) + "\r\n40\r\n" + String(repeating: "y", count: 64) + "\r\n0\r\n\r\n"),
    ]

    @Test(arguments: oversized)
    func aBodyOverTheCapIsTooLarge(_ name: String, _ answer: String) async throws {
        try await withServer(.bytes(answer, close: false)) { server, port, client in
            let failure = try failed(await get(client, port, limit: 100))
            #expect(failure.reason == "too-large", "\(name): \(failure)")
            #expect(await server.waitUntilNoneOpen(atMost: 30), "\(name): the connection of an oversized body stayed open")
        }
    }

    @Test func aPodClosingMidBodyIsAConnectFailure() async throws {
        try await withServer(.bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf", close: true)) { _, port, client in
            let failure = try failed(await get(client, port))
            #expect(failure.reason == "connect")
            #expect(failure.detail.contains("before the end of the body"), "\(failure)")
        }
    }

    @Test func aRefusedConnectionIsAConnectFailure() async throws {
        let server = RawAnswerServer(.silence)
        let port = try await server.start()
        try await server.stop()
        let client = PodHTTPClient()
        let failure = try failed(await get(client, port))
        #expect(failure.reason == "connect", "\(failure)")
    }

    @Test func aSilentPodTimesOutAtTheDeadline() async throws {
        try await withServer(.silence) { server, port, client in
            let started = ContinuousClock.now
            let failure = try failed(await get(client, port, deadline: 1))
            let elapsed = ContinuousClock.now - started
            #expect(failure.reason == "timeout")
            #expect(failure.detail == "no answer within the 1.0 s deadline")
            #expect(elapsed >= .milliseconds(900), "it failed before the deadline")
            #expect(await server.waitUntilNoneOpen(atMost: 30), "the connection stayed open after the deadline")
            // The deadline is checked where the pod saw it (the silent pod would hold the connection for ever): when
            // the test task resumes is up to the machine's load (26 s was seen in a full parallel run).
            let lifetime = try #require(server.seen.lifetimes.first)
            #expect(lifetime < 1 + 5, "the connection lived \(lifetime) s with a 1 s deadline")
        }
    }

    @Test func aDripFedBodyIsCutOffAtTheDeadline() async throws {
        let server = DribblingServer(.dripBody(interval: 0.1, lines: 100))
        let port = try await server.start()
        let client = PodHTTPClient()
        let failure = try failed(await get(client, port, deadline: 1))
        #expect(failure.reason == "timeout")
        #expect(failure.detail == "no complete answer within the 1.0 s deadline")
        #expect(await server.waitForClose(atMost: 30), "the connection stayed open after the deadline")
        #expect(server.connections.first?.completed == false, "the whole 10 s answer was read")
        #expect((server.connections.first?.lifetime ?? .infinity) < 1 + 5, "the connection lived \(server.connections.first?.lifetime ?? -1) s")
        try await server.stop()
    }

    @Test func aCancelledScrapeClosesItsConnectionAtOnce() async throws {
        try await withServer(.silence) { server, port, client in
            let (answer, cancel) = client.get("http://127.0.0.1:\(port)/metrics", accept: "text/plain", deadline: .now() + .seconds(60),
                                              deadlineSeconds: 60, limit: 1 << 20) { (bytes, _) throws(ScrapeFailure) in bytes.count }
            let sent = ContinuousClock.now
            while server.seen.requests == 0, ContinuousClock.now - sent < .seconds(30) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.seen.requests == 1)
            cancel()
            let failure = await #expect(throws: ScrapeFailure.self) { try await answer.get() }
            #expect(failure?.detail == "the scrape was cancelled")
            #expect(await server.waitUntilNoneOpen(atMost: 30), "the cancelled scrape's connection stayed open")
            #expect(ContinuousClock.now - sent < .seconds(40), "it waited for the 60 s deadline")
        }
    }

    @Test func onlyPlainHTTPURLsAreServed() {
        #expect(PodHTTPClient.canServe("http://10.0.0.1:8080/metrics"))
        #expect(PodHTTPClient.canServe("http://[fd00::1]:9090/metrics"))
        #expect(PodHTTPClient.canServe("http://localhost/metrics"))
        #expect(!PodHTTPClient.canServe("https://10.0.0.1:8443/metrics"))
        #expect(!PodHTTPClient.canServe("http://user@10.0.0.1/metrics"))
        #expect(!PodHTTPClient.canServe("http://10.0.0.1:99999/metrics"))
        let v6 = PodEndpoint("http://[fd00::1]:9090/metrics?x=1")
        #expect(v6?.host == "fd00::1" && v6?.port == 9090 && v6?.path == "/metrics?x=1" && v6?.hostHeader == "[fd00::1]:9090")
        #expect(PodEndpoint("http://10.0.0.1")?.path == "/")
        #expect(PodEndpoint("http://10.0.0.1")?.port == 80)
    }

    // MARK: - Helpers

    private func withServer(_ answer: RawAnswerServer.Answer, idleTimeout: TimeAmount = .seconds(60),
                            _ body: (RawAnswerServer, Int, PodHTTPClient) async throws -> Void) async throws {
        let server = RawAnswerServer(answer)
        let port = try await server.start()
        let client = PodHTTPClient(idleTimeout: idleTimeout)
        do {
            try await body(server, port, client)
        } catch {
            client.closeIdleConnections()
            try await server.stop()
            throw error
        }
        client.closeIdleConnections()
        try await server.stop()
    }

    /// One GET of /metrics on 127.0.0.1:`port`; the body as text.
    private func get(_ client: PodHTTPClient, _ port: Int, deadline seconds: Double = 30, limit: Int = 1 << 20) async -> Result<String, ScrapeFailure> {
        let deadline = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
        let (answer, _) = client.get("http://127.0.0.1:\(port)/metrics", accept: "text/plain", deadline: deadline, deadlineSeconds: seconds,
                                     limit: limit) { (bytes, _) throws(ScrapeFailure) in String(decoding: bytes, as: UTF8.self) }
        do {
            return .success(try await answer.get())
        } catch let failure as ScrapeFailure {
            return .failure(failure)
        } catch {
            return .failure(ScrapeFailure(reason: "not a scrape failure", url: "", detail: "\(error)"))
        }
    }

    private func body(_ result: Result<String, ScrapeFailure>) throws -> String { try result.get() }

    private func failed(_ result: Result<String, ScrapeFailure>) throws -> ScrapeFailure {
        guard case .failure(let failure) = result else { throw ScrapeFailure(reason: "no failure", url: "", detail: "the scrape succeeded") }
        return failure
    }
}
