import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing
import AutoscalerCore
@testable import ClusterAdapters
import LoopTestKit
import Rules
import Scaling

/// `POST /push` on a real HTTP server on 127.0.0.1 behind its gate: the bearer token (missing,
/// wrong, rotated, none configured), the per-target ceiling and the per-source rate.
@Suite(.serialized) struct PushAuthenticationTests {
    static let tokenA = "token-a-0123456789abcdef"
    static let tokenB = "token-b-fedcba9876543210"

    /// Seconds that a test moves by hand (the gate's rate clock).
    final class ManualSeconds: Sendable {
        private let value = NIOLockedValueBox(0.0)
        var now: Double { value.withLockedValue { $0 } }
        func advance(_ seconds: Double) { value.withLockedValue { $0 += seconds } }
    }

    struct Server {
        var port: Int
        var client: HTTPClient
        var actuator: RecordingActuator
        var gate: PushGate
        var clock: ManualSeconds

        func push(_ json: String, token: String?, headers: [(String, String)] = []) async throws -> (Int, String, HTTPHeaders) {
            var r = HTTPClientRequest(url: "http://127.0.0.1:\(port)/push")
            r.method = .POST
            r.headers.add(name: "Content-Type", value: "application/json")
            if let token { r.headers.add(name: "Authorization", value: "Bearer \(token)") }
            for (n, v) in headers { r.headers.add(name: n, value: v) }
            r.body = .bytes(ByteBuffer(string: json))
            let response = try await client.execute(r, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 16)
            return (Int(response.status.code), String(buffer: body), response.headers)
        }

        func get(_ path: String) async throws -> Int {
            let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(30))
            return Int(response.status.code)
        }
    }

    private func withServer(tokens: PushTokenFile?, rate: PushRateLimiter.Configuration = .init(),
                            rules text: String = "rules:\n  - name: all\n    source: {push: true}\n    policy: {maxReplicas: 4}\n",
                            _ body: (Server) async throws -> Void) async throws {
        let clock = ManualSeconds()
        let gate = PushGate(tokens: tokens, rate: rate, now: { clock.now })
        let actuator = RecordingActuator()
        let rules = try RuleFiles.load([RuleFiles.File(path: "r.yaml", text: text)])
        let loop = ControlLoop(configuration: .init(), rules: rules, discovery: MemoryDiscovery([target("chat", ready: 0)]),
                               source: MemorySource(), actuator: actuator, log: try DecisionLog(path: nil))
        for s in Int64(0)...4 {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
        let endpoints = Endpoints(loop: loop, ready: { true }, metrics: { [] }, now: { Timestamp(seconds: 5) }, gate: gate)
        // The push port as `inferscale run` serves it.
        let server = try await HTTPServer(host: "127.0.0.1", port: 0) { await endpoints.handle($0, serving: [.health, .push]) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        do {
            try await body(Server(port: server.port, client: client, actuator: actuator, gate: gate, clock: clock))
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static let wake = #"{"target": "llm/chat", "concurrency": 2, "rps": 1}"#

    @Test func missingAndWrongTokensAreRefusedAndCounted() async throws {
        let file = try TemporaryTokenFile(Self.tokenA)
        defer { file.remove() }
        try await withServer(tokens: try PushTokenFile(path: file.path)) { s async throws in
            let missing = try await s.push(Self.wake, token: nil)
            #expect(missing.0 == 401 && missing.1.contains("missing credential"))
            #expect(missing.2.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrong = try await s.push(Self.wake, token: Self.tokenB)
            #expect(wrong.0 == 401 && wrong.1.contains("wrong credential"))
            #expect(!wrong.1.contains(Self.tokenB) && !wrong.1.contains(Self.tokenA), "a 401 must not echo a token")
            // A prefix of the right token, and another scheme, are wrong too.
            #expect(try await s.push(Self.wake, token: String(Self.tokenA.dropLast())).0 == 401)
            #expect(try await s.push(Self.wake, token: nil, headers: [("Authorization", "Basic \(Self.tokenA)")]).0 == 401)
            #expect(await s.actuator.replicas.isEmpty, "a refused push changed the scale")
            #expect(s.gate.rejections[.init(.push, .missingToken)] == 2)
            #expect(s.gate.rejections[.init(.push, .wrongToken)] == 2)

            let ok = try await s.push(Self.wake, token: Self.tokenA)
            #expect(ok.0 == 202, "\(ok.1)")
            #expect(await s.actuator.replicas.last == 1)
        }
    }

    @Test func withoutATokenFileEveryPushIsRefused() async throws {
        try await withServer(tokens: nil) { s async throws in
            let r = try await s.push(Self.wake, token: Self.tokenA)
            #expect(r.0 == 401 && r.1.contains("--push-token-file"))
            #expect(s.gate.rejections[.init(.push, .noTokenConfigured)] == 1)
            #expect(await s.actuator.replicas.isEmpty)
        }
    }

    @Test func aRotatedTokenTakesEffectOnTheNextRequest() async throws {
        let file = try TemporaryTokenFile(Self.tokenA)
        defer { file.remove() }
        try await withServer(tokens: try PushTokenFile(path: file.path)) { s async throws in
            #expect(try await s.push(Self.wake, token: Self.tokenA).0 == 202)
            // Overlap while clients move over: both tokens.
            try file.rotate(to: "\(Self.tokenA)\n\(Self.tokenB)\n")
            #expect(try await s.push(Self.wake, token: Self.tokenB).0 == 202)
            #expect(try await s.push(Self.wake, token: Self.tokenA).0 == 202)
            // The old one removed.
            try file.rotate(to: "  \(Self.tokenB)  \n")
            #expect(try await s.push(Self.wake, token: Self.tokenA).0 == 401)
            #expect(try await s.push(Self.wake, token: Self.tokenB).0 == 202)
            // A broken rotation (an empty Secret) keeps the last good token.
            try file.rotate(to: "\n")
            #expect(try await s.push(Self.wake, token: Self.tokenB).0 == 202)
            #expect(s.gate.tokens?.takeReloadFailure()?.contains("holds no token") == true)
        }
    }

    @Test func valuesOverTheTargetsCeilingAreRefused() async throws {
        let file = try TemporaryTokenFile(Self.tokenA)
        defer { file.remove() }
        // The default ceiling: 100 per pod at maxReplicas 4.
        try await withServer(tokens: try PushTokenFile(path: file.path)) { s async throws in
            let over = try await s.push(#"{"target": "llm/chat", "concurrency": 400.5}"#, token: Self.tokenA)
            #expect(over.0 == 422 && over.1.contains("push ceiling 400"), "\(over.1)")
            #expect(try await s.push(#"{"target": "llm/chat", "concurrency": 1, "rps": 1e9}"#, token: Self.tokenA).0 == 422)
            #expect(try await s.push(#"{"target": "llm/chat", "concurrency": 1e308}"#, token: Self.tokenA).0 == 422)
            #expect(await s.actuator.replicas.isEmpty, "a value over the ceiling was recorded")
            #expect(s.gate.rejections[.init(.push, .overCeiling)] == 3)
            #expect(try await s.push(#"{"target": "llm/chat", "concurrency": 400}"#, token: Self.tokenA).0 == 202)
        }
        // A rule's own ceiling; one value over it refuses the whole batch.
        try await withServer(tokens: try PushTokenFile(path: file.path),
                             rules: "rules:\n  - name: all\n    source: {push: true, pushCeiling: 50}\n") { s async throws in
            let batch = #"[{"target": "llm/chat", "concurrency": 3}, {"target": "llm/chat", "concurrency": 51}]"#
            #expect(try await s.push(batch, token: Self.tokenA).0 == 422)
            #expect(await s.actuator.replicas.isEmpty)
            #expect(try await s.push(#"{"target": "llm/chat", "concurrency": 50}"#, token: Self.tokenA).0 == 202)
        }
    }

    @Test func aFloodFromOneSourceIsRateLimited() async throws {
        let file = try TemporaryTokenFile(Self.tokenA)
        defer { file.remove() }
        var rate = PushRateLimiter.Configuration()
        rate.perSecond = 2
        rate.burst = 5
        try await withServer(tokens: try PushTokenFile(path: file.path), rate: rate) { s async throws in
            var statuses: [Int] = []
            for _ in 0..<50 { statuses.append(try await s.push(Self.wake, token: Self.tokenA).0) }
            #expect(statuses.prefix(5).allSatisfy { $0 == 202 })
            #expect(statuses.dropFirst(5).allSatisfy { $0 == 429 }, "\(statuses)")
            #expect(s.gate.rejections[.init(.push, .rateLimited)] == 45)
            let limited = try await s.push(Self.wake, token: Self.tokenA)
            #expect(limited.2.first(name: "Retry-After") == "1")
            // One second later the source has two pushes again.
            s.clock.advance(1)
            #expect(try await s.push(Self.wake, token: Self.tokenA).0 == 202)
            #expect(try await s.push(Self.wake, token: Self.tokenA).0 == 202)
            #expect(try await s.push(Self.wake, token: Self.tokenA).0 == 429)
            // Unauthenticated calls are refused before they spend the source's rate.
            s.clock.advance(10)
            for _ in 0..<20 { _ = try await s.push(Self.wake, token: nil) }
            #expect(try await s.push(Self.wake, token: Self.tokenA).0 == 202)
            // Forwarded by the other instance: limited there, not again here, but the token still counts.
            for _ in 0..<10 { #expect(try await s.push(Self.wake, token: Self.tokenA, headers: [(Endpoints.forwardedHeader, "1")]).0 == 202) }
            #expect(try await s.push(Self.wake, token: nil, headers: [(Endpoints.forwardedHeader, "1")]).0 == 401)
        }
    }

    @Test func thePushPortServesNothingElse() async throws {
        try await withServer(tokens: nil) { s async throws in
            #expect(try await s.get("/healthz") == 200)
            #expect(try await s.get("/metrics") == 404)
            #expect(try await s.get("/debug/targets") == 404)
            #expect(try await s.get("/debug/decisions?target=llm%2Fchat") == 404)
        }
    }
}

@Suite struct PushTokenFileTests {
    @Test func aFileThatCannotServeRefusesToStart() throws {
        #expect(throws: PushTokenFile.LoadError.self) { try PushTokenFile(path: "/nonexistent/inferscale/token") }
        for contents in ["", "\n  \n", "short\n", "\(PushAuthenticationTests.tokenA)\nshort\n"] {
            let file = try TemporaryTokenFile(contents)
            defer { file.remove() }
            #expect(throws: PushTokenFile.LoadError.self, "\(contents.debugDescription)") { try PushTokenFile(path: file.path) }
        }
        let big = try TemporaryTokenFile(String(repeating: "a", count: PushTokenFile.maxFileBytes + 1))
        defer { big.remove() }
        do {
            _ = try PushTokenFile(path: big.path)
            Issue.record("a file over the size limit was accepted")
        } catch {
            #expect(error.description.contains("larger than"))
            #expect(!error.description.contains("aaaa"), "the error quotes the file")
        }
    }

    @Test func tokensCompareWholly() throws {
        let file = try TemporaryTokenFile("\r\n\(PushAuthenticationTests.tokenA)\r\n\(PushAuthenticationTests.tokenB)")
        defer { file.remove() }
        let tokens = try PushTokenFile(path: file.path)
        #expect(tokens.accepts(PushAuthenticationTests.tokenA.utf8))
        #expect(tokens.accepts(PushAuthenticationTests.tokenB.utf8))
        #expect(!tokens.accepts((PushAuthenticationTests.tokenA + "x").utf8))
        #expect(!tokens.accepts("".utf8))
        #expect(tokens.forwardingToken == PushAuthenticationTests.tokenA)
        #expect(PushGate.bearerToken("Bearer  abc ") == "abc")
        #expect(PushGate.bearerToken("bearer abc") == "abc")
        #expect(PushGate.bearerToken("Bearer ") == nil)
        #expect(PushGate.bearerToken("Bearerabc") == nil)
    }
}

@Suite struct PushRateLimiterTests {
    @Test func eachSourceHasItsOwnBucket() {
        var config = PushRateLimiter.Configuration()
        config.perSecond = 1
        config.burst = 3
        var limiter = PushRateLimiter(configuration: config)
        func admitted(_ tries: Int, _ source: String, at now: Double) -> Int {
            (0..<tries).filter { _ in limiter.admit(source, now: now) }.count
        }
        #expect(admitted(10, "10.0.0.1", at: 0) == 3)
        #expect(admitted(10, "10.0.0.2", at: 0) == 3, "one flooding source starved another")
        #expect(admitted(1, "10.0.0.1", at: 0.5) == 0)
        #expect(admitted(1, "10.0.0.1", at: 1.0) == 1)
        // A clock that goes back gives no tokens.
        #expect(admitted(1, "10.0.0.1", at: -100) == 0)
        // Refill stops at the burst.
        #expect(admitted(10, "10.0.0.1", at: 1000) == 3)
    }

    @Test func memoryIsBoundedWhateverTheNumberOfSources() {
        var config = PushRateLimiter.Configuration()
        config.perSecond = 1
        config.burst = 2
        config.maxSources = 100
        var limiter = PushRateLimiter(configuration: config)
        var admitted = 0
        for i in 0..<10_000 where limiter.admit("10.1.\(i / 256).\(i % 256)", now: 0) { admitted += 1 }
        #expect(limiter.trackedSources <= 100)
        // The first 100 were tracked and admitted; the rest shared one overflow bucket (its burst of 2).
        #expect(admitted == 100 + 2)
        // Later, refilled sources are forgotten and new ones tracked again.
        let admittedLater = limiter.admit("10.9.9.9", now: 60)
        #expect(admittedLater)
        #expect(limiter.trackedSources <= 100)
    }
}
