import AsyncHTTPClient
import Kubernetes
import PodTestKit

/// What an end-to-end test of the loop stands up on 127.0.0.1: the fake API server, a client for it, canned
/// metrics endpoints standing in for pods (or an activator), and an HTTP client for scraping. `with` starts them,
/// runs the test, and shuts every one down whether the test threw or not.
public struct FakeCluster: Sendable {
    /// The fake API server.
    public let api: FakeKubernetesAPIServer
    /// A client pointed at it (5 s request timeout unless `with` was told otherwise).
    public let client: KubernetesClient
    /// The canned endpoints, in the order asked for.
    public let endpoints: [CannedMetricsServer]
    /// Their ports on 127.0.0.1, in the same order.
    public let ports: [Int]
    /// For scrapes and polls.
    public let http: HTTPClient

    /// Starts a cluster with `endpoints` canned metrics endpoints, runs `body`, and shuts it all down.
    /// - Parameter requestTimeout: the client's per-request timeout; generous, as CI runs tests on loaded machines.
    public static func with(endpoints count: Int = 1, requestTimeout: Duration = .seconds(5),
                            _ body: (FakeCluster) async throws -> Void) async throws {
        let api = try await FakeKubernetesAPIServer.start()
        var configuration = KubernetesClientConfiguration(server: api.baseURL)
        configuration.timeouts.request = requestTimeout
        let client: KubernetesClient
        do {
            client = try KubernetesClient(configuration: configuration)
        } catch {
            try? await api.shutdown()
            throw error
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var endpoints: [CannedMetricsServer] = []
        var ports: [Int] = []
        var failure: (any Error)?
        do {
            for _ in 0..<count {
                let server = CannedMetricsServer()
                ports.append(try await server.start())
                endpoints.append(server)
            }
            try await body(FakeCluster(api: api, client: client, endpoints: endpoints, ports: ports, http: http))
        } catch {
            failure = error
        }
        try? await http.shutdown()
        try? await client.shutdown()
        for server in endpoints { try? await server.stop() }
        try? await api.shutdown()
        if let failure { throw failure }
    }
}
