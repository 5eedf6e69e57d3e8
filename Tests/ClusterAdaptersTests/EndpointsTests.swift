import AsyncHTTPClient
import Exposition
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing
import AutoscalerCore
@testable import ClusterAdapters
import LoopTestKit
import Rules
import Scaling

/// The endpoints on a real HTTP server on 127.0.0.1, with the control loop on fakes.
@Suite(.serialized) struct EndpointsTests {
    actor Flag {
        var value = false
        func set() { value = true }
    }

    /// The token the test servers accept.
    static let token = "endpoints-test-token-0123456789"

    private func withServer(forward: (@Sendable ([Endpoints.Load]) async -> Void)? = nil, elsewhere: (@Sendable (String) -> Bool)? = nil,
                            _ body: (Int, HTTPClient, ControlLoop, RecordingActuator, Flag) async throws -> Void) async throws {
        let tokenFile = try TemporaryTokenFile(Self.token)
        defer { tokenFile.remove() }
        let gate = PushGate(tokens: try PushTokenFile(path: tokenFile.path))
        let discovery = MemoryDiscovery([target("chat", ready: 0)])
        let actuator = RecordingActuator()
        let rules = try RuleFiles.load([RuleFiles.File(path: "r.yaml", text: "rules:\n  - name: all\n    source: {push: true}\n")])
        let loop = ControlLoop(configuration: .init(), rules: rules, discovery: discovery, source: MemorySource(),
                               actuator: actuator, log: try DecisionLog(path: nil))
        let readiness = Flag()
        let clock = SecondClock()
        let endpoints = Endpoints(loop: loop, ready: { await readiness.value }, metrics: { Array("inferscale_leader 1\n".utf8) },
                                  now: { clock.now }, gate: gate, forward: forward, elsewhere: elsewhere)
        let server = try await HTTPServer(host: "127.0.0.1", port: 0) { await endpoints.handle($0) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let serving = Task { try await server.run() }
        // Targets known, with history at zero (the idle target decided 0).
        for s in Int64(0)...4 {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
        do {
            try await body(server.port, client, loop, actuator, readiness)
        } catch {
            serving.cancel()
            try await client.shutdown()
            throw error
        }
        serving.cancel()
        try await client.shutdown()
    }

    private func request(_ client: HTTPClient, _ port: Int, _ method: HTTPMethod, _ path: String,
                         body: [UInt8]? = nil, contentType: String = "application/json") async throws -> (Int, String) {
        var r = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        r.method = method
        if let body {
            r.body = .bytes(ByteBuffer(bytes: body))
            r.headers.add(name: "Content-Type", value: contentType)
            r.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        }
        // Generous: it bounds a hung request, and a loaded CI machine can take seconds to answer one.
        let response = try await client.execute(r, timeout: .seconds(30))
        let text = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: text))
    }

    @Test func healthReadinessMetricsAndDebug() async throws {
        try await withServer { port, client, _, _, readiness in
            #expect(try await request(client, port, .GET, "/healthz").0 == 200)
            #expect(try await request(client, port, .GET, "/readyz").0 == 503)
            await readiness.set()
            #expect(try await request(client, port, .GET, "/readyz").0 == 200)
            let metrics = try await request(client, port, .GET, "/metrics")
            #expect(metrics.0 == 200 && metrics.1.contains("inferscale_leader 1"))
            let targets = try await request(client, port, .GET, "/debug/targets")
            #expect(targets.0 == 200 && targets.1.contains("\"target\" : \"llm\\/chat\""))
            let decisions = try await request(client, port, .GET, "/debug/decisions?target=llm%2Fchat")
            #expect(decisions.0 == 200 && decisions.1.contains("\"desired\""))
            #expect(try await request(client, port, .GET, "/nope").0 == 404)
            #expect(try await request(client, port, .DELETE, "/metrics").0 == 405)
        }
    }

    @Test func pushWakesATargetAtZero() async throws {
        try await withServer { port, client, _, actuator, _ in
            let ok = try await request(client, port, .POST, "/push", body: Array(#"{"target": "llm/chat", "concurrency": 2, "rps": 1}"#.utf8))
            #expect(ok.0 == 202)
            #expect(await actuator.replicas.last == 1)  // decided at once, not at the next tick
            #expect(try await request(client, port, .POST, "/push", body: Array(#"{"target": "llm/none", "concurrency": 1}"#.utf8)).0 == 404)
            #expect(try await request(client, port, .POST, "/push", body: Array("{not json".utf8)).0 == 400)
            #expect(try await request(client, port, .POST, "/push", body: Array(#"{"target": "llm/chat", "concurrency": -4}"#.utf8)).0 == 400)
            #expect(try await request(client, port, .POST, "/push", body: Array(#"{"target": "chat", "concurrency": 1}"#.utf8)).0 == 400)
            #expect(try await request(client, port, .POST, "/push", body: [UInt8](repeating: 32, count: 2 << 20)).0 == 413)
        }
    }

    /// With shards, load for a target another replica's shard holds is forwarded, not checked or recorded here
    /// (this replica does not know the target); the rest of the batch is recorded as usual.
    @Test func pushForAnotherShardIsOnlyForwarded() async throws {
        let forwarded = TestValues<[Endpoints.Load]>()
        try await withServer(forward: { forwarded.append($0) }, elsewhere: { $0 == "llm/other" }) { port, client, _, actuator, _ in
            let body = Array(#"[{"target": "llm/chat", "concurrency": 2}, {"target": "llm/other", "concurrency": 5}]"#.utf8)
            let answer = try await request(client, port, .POST, "/push", body: body)
            #expect(answer.0 == 202)
            #expect(answer.1 == "recorded 1; 1 for shards other replicas hold\n")
            #expect(await actuator.replicas.last == 1)
            #expect(forwarded.values.map { $0.map(\.target) } == [["llm/chat", "llm/other"]])
            // A target that is nobody's is still unknown.
            #expect(try await request(client, port, .POST, "/push", body: Array(#"{"target": "llm/none", "concurrency": 1}"#.utf8)).0 == 404)
        }
    }

    @Test func pushAcceptsKnativeWireStatMessages() async throws {
        try await withServer { port, client, _, actuator, _ in
            let stat = QueueProxyStat(podName: "activator-1", averageConcurrentRequests: 3, averageProxiedConcurrentRequests: 0,
                                      requestsPerSecond: 3, proxiedRequestsPerSecond: 0, processUptime: 10, timestamp: 0)
            let batch = QueueProxyStat.protobufBytes(batch: [.init(namespace: "llm", name: "chat", stat: stat)])
            let r = try await request(client, port, .POST, "/push", body: batch, contentType: "application/protobuf")
            #expect(r.0 == 202, "\(r.1)")
            #expect(await actuator.replicas.last == 1)
            #expect(try await request(client, port, .POST, "/push", body: [0xff, 0xff, 0x01], contentType: "application/protobuf").0 == 400)
        }
    }
}

/// A fixed time for pushes in tests (odd second: the poke path).
final class SecondClock: Sendable {
    var now: Timestamp { Timestamp(seconds: 5) }
}

/// Values appended from any task (the forwarding closure is `@Sendable`).
final class TestValues<T: Sendable>: Sendable {
    private let box = NIOLockedValueBox<[T]>([])
    func append(_ value: T) { box.withLockedValue { $0.append(value) } }
    var values: [T] { box.withLockedValue { $0 } }
}
