import AutoscalerCore
import Exposition
import Foundation
import Scaling

/// inferscale's HTTP endpoints:
/// - `GET /healthz`: the process is alive.
/// - `GET /readyz`: rules are loaded and targets discovered (503 before).
/// - `GET /metrics`: inferscale's own metrics, Prometheus text.
/// - `GET /debug/targets`: every target's state, JSON.
/// - `GET /debug/decisions?target=ns/name`: the newest decision records, JSON.
/// - `POST /push`: load for a target from an activator or gateway, as JSON
///   `{"target": "ns/name", "concurrency": 3, "rps": 1.5}` (or a list of those), or as Knative's
///   protobuf `WireStatMessages` (`Content-Type: application/protobuf`). 202 when recorded,
///   404 for an unknown target, 400 for a malformed body. What is recorded is also handed to
///   `forward` (a follower sends it on to the leader), unless it arrived forwarded
///   (`forwardedHeader`), so a push that reaches a follower still reaches the leader once.
public struct Endpoints: Sendable {
    /// Marks a push that one instance forwarded to another; it is not forwarded again.
    public static let forwardedHeader = "x-inferscale-forwarded"

    /// Load reported for targets, as `POST /push` takes it in JSON.
    public struct Load: Codable, Sendable, Equatable {
        public var target: String
        public var concurrency: Double
        public var rps: Double?

        public init(target: String, concurrency: Double, rps: Double? = nil) {
            self.target = target
            self.concurrency = concurrency
            self.rps = rps
        }
    }

    private let loop: ControlLoop
    private let ready: @Sendable () async -> Bool
    private let metrics: @Sendable () -> [UInt8]
    private let now: @Sendable () -> Timestamp
    private let forward: (@Sendable ([Load]) async -> Void)?

    public init(loop: ControlLoop, ready: @escaping @Sendable () async -> Bool, metrics: @escaping @Sendable () -> [UInt8],
                now: @escaping @Sendable () -> Timestamp, forward: (@Sendable ([Load]) async -> Void)? = nil) {
        self.loop = loop
        self.ready = ready
        self.metrics = metrics
        self.now = now
        self.forward = forward
    }

    public func handle(_ request: HTTPServer.Request) async -> HTTPServer.Response {
        switch (request.method, request.path) {
        case ("GET", "/healthz"):
            return .init(status: 200, text: "ok\n")
        case ("GET", "/readyz"):
            return await ready() ? .init(status: 200, text: "ready\n") : .init(status: 503, text: "not ready: rules or targets not loaded yet\n")
        case ("GET", "/metrics"):
            return .init(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics())
        case ("GET", "/debug/targets"):
            return json(await loop.status())
        case ("GET", "/debug/decisions"):
            guard let target = request.query["target"] else { return .init(status: 400, text: "missing ?target=namespace/name\n") }
            return json(await loop.decisions(for: target))
        case ("POST", "/push"):
            return await push(request)
        case (_, "/healthz"), (_, "/readyz"), (_, "/metrics"), (_, "/debug/targets"), (_, "/debug/decisions"), (_, "/push"):
            return .init(status: 405, text: "method \(request.method) not allowed on \(request.path)\n")
        default:
            return .init(status: 404, text: "no such endpoint \(request.path)\n")
        }
    }

    private func push(_ request: HTTPServer.Request) async -> HTTPServer.Response {
        let contentType = request.headers.first { $0.0.lowercased() == "content-type" }?.1 ?? ""
        var loads: [Load] = []
        if contentType.hasPrefix("application/protobuf") || contentType.hasPrefix("application/x-protobuf") {
            do {
                loads = try QueueProxyStat.decodeBatch(protobuf: request.body).map {
                    Load(target: "\($0.namespace)/\($0.name)",
                               concurrency: $0.stat.averageConcurrentRequests, rps: $0.stat.requestsPerSecond)
                }
            } catch {
                return .init(status: 400, text: "malformed WireStatMessages: \(error)\n")
            }
        } else {
            let decoder = JSONDecoder()
            if let one = try? decoder.decode(Load.self, from: Data(request.body)) {
                loads = [one]
            } else if let many = try? decoder.decode([Load].self, from: Data(request.body)) {
                loads = many
            } else {
                return .init(status: 400, text: "expected JSON {\"target\": \"namespace/name\", \"concurrency\": N, \"rps\": N} or a list of them\n")
            }
        }
        let time = now()
        // Validate all before recording any, so a bad batch records nothing.
        for load in loads where !(load.concurrency.isFinite && load.concurrency >= 0 && (load.rps ?? 0).isFinite && (load.rps ?? 0) >= 0) {
            return .init(status: 400, text: "\(load.target): concurrency and rps must be finite and non-negative\n")
        }
        let known = Set(await loop.status().map(\.target))
        if let unknown = loads.first(where: { !known.contains($0.target) }) {
            return .init(status: 404, text: "unknown target \(unknown.target)\n")
        }
        for load in loads {
            do {
                try await loop.push(target: load.target, concurrency: load.concurrency, rps: load.rps ?? 0, at: time)
            } catch {
                return .init(status: error == .unknownTarget(load.target) ? 404 : 400, text: "\(error)\n")
            }
        }
        let forwarded = request.headers.contains { $0.0.lowercased() == Self.forwardedHeader }
        if let forward, !forwarded { await forward(loads) }
        return .init(status: 202, text: "recorded \(loads.count)\n")
    }

    private func json<T: Encodable>(_ value: T) -> HTTPServer.Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(value) else { return .init(status: 500, text: "cannot encode\n") }
        return .init(status: 200, contentType: "application/json", body: Array(data))
    }
}
