import AsyncHTTPClient
import AutoscalerCore
import Foundation
import Kubernetes
import Logging
import NIOCore

/// Sends load pushed to a follower on to the leader, whose decisions are the ones applied: an
/// activator's report for a target at zero must wake it whichever instance the Service picked.
/// The leader's endpoint (its push port) comes from its Lease (`LeaderElector.leaderEndpoint`).
/// The request carries the bearer token of `tokens` (both instances mount the same Secret);
/// the token is never logged. Forwarding runs in the background with a 1 s limit; a failure is
/// logged and the next report tries again.
public struct PushForwarder: Sendable {
    let elector: LeaderElector
    let client: HTTPClient
    let tokens: PushTokenFile
    let logger: Logger

    /// Forwards through `client` to the leader `elector` names, with a token of `tokens`.
    public init(elector: LeaderElector, client: HTTPClient, tokens: PushTokenFile, logger: Logger) {
        self.elector = elector
        self.client = client
        self.tokens = tokens
        self.logger = logger
    }

    /// Sends `loads` to the leader in the background, unless this instance leads.
    public func forward(_ loads: [Endpoints.Load]) {
        guard !loads.isEmpty, !elector.isLeader, let endpoint = elector.leaderEndpoint else { return }
        Task {
            do {
                var request = HTTPClientRequest(url: "http://\(endpoint)/push")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: Endpoints.forwardedHeader, value: "1")
                request.headers.add(name: "Authorization", value: "Bearer \(tokens.forwardingToken)")
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(loads)))
                let response = try await client.execute(request, timeout: .seconds(1))
                if response.status.code != 202 {
                    logger.warning("the leader refused forwarded load", metadata: [
                        "inferscale.leader": "\(endpoint)", "inferscale.status": "\(response.status.code)"])
                }
            } catch {
                logger.warning("could not forward load to the leader", metadata: [
                    "inferscale.leader": "\(endpoint)", "inferscale.error": "\(error)"])
            }
        }
    }
}
