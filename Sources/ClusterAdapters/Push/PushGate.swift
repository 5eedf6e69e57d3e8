import Foundation
import Metrics
import NIOConcurrencyHelpers

/// What every pushed report passes before it reaches the loop, on `/push` and on the activator
/// websocket alike: the bearer token (`PushTokenFile`), then the rate of its source
/// (`PushRateLimiter`). Each refusal is counted in `inferscale_push_rejected_total` and in
/// `rejections` (which tests read).
///
/// Without a token file every push is refused (401, `no-token-configured`): a port that can
/// start GPU replicas is closed unless the operator has set a credential.
public final class PushGate: Sendable {
    /// Where a report arrived.
    public enum Endpoint: String, Sendable, Hashable {
        case push, activator
    }

    /// Why a report was refused; the raw value is the metric's `reason` label.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        case missingToken = "missing-token"
        case wrongToken = "wrong-token"
        case noTokenConfigured = "no-token-configured"
        case rateLimited = "rate-limited"
        case overCeiling = "over-ceiling"
        case invalid
    }

    /// A refusal counted for an endpoint.
    public struct Rejection: Sendable, Hashable {
        public var endpoint: Endpoint
        public var reason: Reason
        public init(_ endpoint: Endpoint, _ reason: Reason) {
            self.endpoint = endpoint
            self.reason = reason
        }
    }

    /// The accepted tokens; nil refuses every push.
    public let tokens: PushTokenFile?
    private let limiter: NIOLockedValueBox<PushRateLimiter>
    private let counts = NIOLockedValueBox<[Rejection: Int]>([:])
    private let now: @Sendable () -> Double

    /// A gate over `tokens` with per-source `rate` limits; `now` is in seconds on any monotonic clock.
    public init(tokens: PushTokenFile?, rate: PushRateLimiter.Configuration = .init(),
                now: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.tokens = tokens
        self.limiter = NIOLockedValueBox(PushRateLimiter(configuration: rate))
        self.now = now
    }

    /// Checks an `Authorization` header value (`Bearer TOKEN`); nil when it may pass, else the
    /// reason (already counted).
    public func authenticate(authorization: String?, at endpoint: Endpoint) -> Reason? {
        let reason = verify(authorization: authorization)
        if let reason { count(reason, at: endpoint) }
        return reason
    }

    /// As `authenticate`, without counting (for answering a request already counted).
    public func verify(authorization: String?) -> Reason? {
        guard let tokens else { return .noTokenConfigured }
        guard let token = Self.bearerToken(authorization) else { return .missingToken }
        return tokens.accepts(token.utf8) ? nil : .wrongToken
    }

    /// Takes one unit of `source`'s rate; false (counted) when the source is over it.
    public func admit(source: String, at endpoint: Endpoint) -> Bool {
        let time = now()
        let admitted = limiter.withLockedValue { $0.admit(source, now: time) }
        if !admitted { count(.rateLimited, at: endpoint) }
        return admitted
    }

    /// Counts a refusal decided elsewhere (a value over the ceiling, a malformed body).
    public func count(_ reason: Reason, at endpoint: Endpoint) {
        counts.withLockedValue { $0[Rejection(endpoint, reason), default: 0] += 1 }
        Counter(label: "inferscale_push_rejected_total", dimensions: [("endpoint", endpoint.rawValue), ("reason", reason.rawValue)]).increment()
    }

    /// Refusals so far, by endpoint and reason.
    public var rejections: [Rejection: Int] { counts.withLockedValue { $0 } }

    /// The text the client is told on a 401, naming what to fix and never a token.
    public static func message(_ reason: Reason) -> String {
        switch reason {
        case .missingToken: "missing credential: send Authorization: Bearer <token from the push token Secret>\n"
        case .wrongToken: "wrong credential: the bearer token is not one of the push token file's tokens\n"
        case .noTokenConfigured: "push is disabled: this inferscale runs without --push-token-file, so it accepts no pushed load\n"
        case .rateLimited: "too many pushes from this source; slow down\n"
        case .overCeiling: "value above the target's push ceiling\n"
        case .invalid: "malformed push\n"
        }
    }

    /// The token of an `Authorization: Bearer TOKEN` value (scheme case-insensitive), or nil.
    static func bearerToken(_ header: String?) -> Substring? {
        guard let header else { return nil }
        let trimmed = header.drop { $0 == " " }
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).drop { $0 == " " }
        let end = token.lastIndex { $0 != " " }.map { token.index(after: $0) } ?? token.startIndex
        let result = token[..<end]
        return result.isEmpty ? nil : result
    }
}
