import AutoscalerCore
import Exposition
import Foundation
import Scaling

/// inferscale's HTTP endpoints, in groups (`Surfaces`) that `inferscale run` serves on
/// separate ports, so a NetworkPolicy can admit each group from its own callers:
/// - health (`--http-port`): `GET /healthz` (alive), `GET /readyz` (rules loaded and targets
///   discovered; 503 before).
/// - metrics (`--http-port`): `GET /metrics`, inferscale's own metrics, Prometheus text.
/// - debug (`--debug-port`, off by default, bound to 127.0.0.1): `GET /debug/targets` (every
///   target's state, JSON) and `GET /debug/decisions?target=ns/name` (the newest decision records).
/// - push (`--push-port`): `POST /push`, load for a target from an activator or gateway, as JSON
///   `{"target": "ns/name", "concurrency": 3, "rps": 1.5}` (or a list of those), or as Knative's
///   protobuf `WireStatMessages` (`Content-Type: application/protobuf`), with
///   `Authorization: Bearer TOKEN` (`PushGate`). 202 when recorded, 401 without a valid token,
///   429 when the source pushes too fast, 404 for an unknown target, 400 for a malformed body,
///   422 for a value above the target's push ceiling. What is recorded is also handed to
///   `forward` (a follower sends it on to the leader), unless it arrived forwarded
///   (`forwardedHeader`), so a push that reaches a follower still reaches the leader once. With
///   sharding, load for a target whose shard another replica holds (`elsewhere`) is only forwarded:
///   this replica does not know that target.
public struct Endpoints: Sendable {
    /// Marks a push that one instance forwarded to another; it is not forwarded again, and not
    /// rate-limited a second time (the follower did that; it still needs the token).
    public static let forwardedHeader = "x-inferscale-forwarded"

    /// Groups of endpoints that one server answers; requests for the others get 404.
    public struct Surfaces: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// `/healthz`, `/readyz`.
        public static let health = Surfaces(rawValue: 1)
        /// `/metrics`.
        public static let metrics = Surfaces(rawValue: 2)
        /// `/debug/targets`, `/debug/decisions`.
        public static let debug = Surfaces(rawValue: 4)
        /// `POST /push`.
        public static let push = Surfaces(rawValue: 8)
        /// Everything (tests).
        public static let all: Surfaces = [.health, .metrics, .debug, .push]
    }

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
    private let gate: PushGate
    private let elsewhere: (@Sendable (String) -> Bool)?

    /// Endpoints over `loop`; pushes pass `gate` (the default refuses every push: no token).
    public init(loop: ControlLoop, ready: @escaping @Sendable () async -> Bool, metrics: @escaping @Sendable () -> [UInt8],
                now: @escaping @Sendable () -> Timestamp, gate: PushGate = PushGate(tokens: nil),
                forward: (@Sendable ([Load]) async -> Void)? = nil, elsewhere: (@Sendable (String) -> Bool)? = nil) {
        self.loop = loop
        self.elsewhere = elsewhere
        self.ready = ready
        self.metrics = metrics
        self.now = now
        self.gate = gate
        self.forward = forward
    }

    /// Answers `request` if its endpoint is in `surfaces`, else 404.
    public func handle(_ request: HTTPServer.Request, serving surfaces: Surfaces = .all) async -> HTTPServer.Response {
        let surface: Surfaces? = switch request.path {
        case "/healthz", "/readyz": .health
        case "/metrics": .metrics
        case "/debug/targets", "/debug/decisions": .debug
        case "/push": .push
        default: nil
        }
        guard let surface, surfaces.contains(surface) else {
            return .init(status: 404, text: "no such endpoint \(request.path) on this port\n")
        }
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
        if let reason = gate.authenticate(authorization: request.header("authorization"), at: .push) {
            return .init(status: 401, text: PushGate.message(reason), headers: [("WWW-Authenticate", #"Bearer realm="inferscale-push""#)])
        }
        let forwarded = request.header(Self.forwardedHeader) != nil
        if !forwarded, !gate.admit(source: request.remoteAddress, at: .push) {
            return .init(status: 429, text: PushGate.message(.rateLimited), headers: [("Retry-After", "1")])
        }
        let loads: [Load]
        do {
            loads = try PushBody.decode(request.body, contentType: request.header("content-type") ?? "")
        } catch {
            gate.count(.invalid, at: .push)
            return .init(status: 400, text: "\(error)\n")
        }
        let time = now()
        // Load for another replica's shard is that replica's to check and record.
        let local = elsewhere.map { held in loads.filter { !held($0.target) } } ?? loads
        // Check all before recording any, so a refused batch records nothing.
        let known = Set(await loop.status().map(\.target))
        if let unknown = local.first(where: { !known.contains($0.target) }) {
            return .init(status: 404, text: "unknown target \(unknown.target)\n")
        }
        for load in local {
            let ceiling = await loop.pushCeiling(for: load.target)
            if load.concurrency > ceiling || (load.rps ?? 0) > ceiling {
                gate.count(.overCeiling, at: .push)
                let error = PushError.overCeiling(target: load.target, value: max(load.concurrency, load.rps ?? 0), ceiling: ceiling)
                return .init(status: 422, text: "\(error)\n")
            }
        }
        for load in local {
            do {
                try await loop.push(target: load.target, concurrency: load.concurrency, rps: load.rps ?? 0, at: time)
            } catch {
                switch error {
                case .unknownTarget: return .init(status: 404, text: "\(error)\n")
                case .overCeiling: return .init(status: 422, text: "\(error)\n")
                case .invalid: return .init(status: 400, text: "\(error)\n")
                }
            }
        }
        if let forward, !forwarded { await forward(loads) }
        if local.count < loads.count {
            return .init(status: 202, text: "recorded \(local.count); \(loads.count - local.count) for shards other replicas hold\n")
        }
        return .init(status: 202, text: "recorded \(loads.count)\n")
    }

    private func json<T: Encodable>(_ value: T) -> HTTPServer.Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(value) else { return .init(status: 500, text: "cannot encode\n") }
        return .init(status: 200, contentType: "application/json", body: Array(data))
    }
}
