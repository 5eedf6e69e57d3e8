import AsyncHTTPClient
import AutoscalerCore
import Foundation
import Kubernetes
import Logging
import NIOCore

/// Sends load pushed to one instance on to the instance whose decisions are applied: an activator's report
/// for a target at zero must wake it whichever instance the Service picked. With one leader Lease that is the
/// leader (its endpoint comes from its Lease, `LeaderElector.leaderEndpoint`); with shards, the holder of
/// each target's shard (`ShardElector.endpoint(forTarget:)`), one request per holder.
/// The request carries the bearer token of `tokens` (every instance mounts the same Secret);
/// the token is never logged. Forwarding runs in the background with a 1 s limit; a failure is
/// logged and the next report tries again.
public struct PushForwarder: Sendable {
    /// Which loads go where (`host:port`); loads this instance acts on itself are left out.
    let route: @Sendable ([Endpoints.Load]) -> [String: [Endpoints.Load]]
    let client: HTTPClient
    let tokens: PushTokenFile
    let logger: Logger

    /// Forwards through `client` to the leader `elector` names, with a token of `tokens`.
    public init(elector: LeaderElector, client: HTTPClient, tokens: PushTokenFile, logger: Logger) {
        route = { loads in
            guard !elector.isLeader, let endpoint = elector.leaderEndpoint else { return [:] }
            return [endpoint: loads]
        }
        self.client = client
        self.tokens = tokens
        self.logger = logger
    }

    /// Forwards each load through `client` to the holder of its target's shard, unless this instance holds it.
    public init(shards: ShardElector, client: HTTPClient, tokens: PushTokenFile, logger: Logger) {
        route = { loads in
            var routes: [String: [Endpoints.Load]] = [:]
            for load in loads {
                if let endpoint = shards.endpoint(forTarget: load.target) { routes[endpoint, default: []].append(load) }
            }
            return routes
        }
        self.client = client
        self.tokens = tokens
        self.logger = logger
    }

    /// Sends `loads` to the instances that act on them, in the background.
    public func forward(_ loads: [Endpoints.Load]) {
        guard !loads.isEmpty else { return }
        for (endpoint, batch) in route(loads) {
            Task { await send(batch, to: endpoint) }
        }
    }

    private func send(_ loads: [Endpoints.Load], to endpoint: String) async {
        do {
            var request = HTTPClientRequest(url: "http://\(endpoint)/push")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: Endpoints.forwardedHeader, value: "1")
            request.headers.add(name: "Authorization", value: "Bearer \(tokens.forwardingToken)")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(loads)))
            let response = try await client.execute(request, timeout: .seconds(1))
            if response.status.code != 202 {
                logger.warning("the instance acting on the target refused forwarded load", metadata: [
                    "inferscale.leader": "\(endpoint)", "inferscale.status": "\(response.status.code)"])
            }
        } catch {
            logger.warning("could not forward load to the instance acting on the target", metadata: [
                "inferscale.leader": "\(endpoint)", "inferscale.error": "\(error)"])
        }
    }
}
