import AsyncHTTPClient
import PodTestKit

/// Runs `body` with a canned metrics server on 127.0.0.1 (its port) and an HTTP client, and shuts both
/// down whether `body` throws or not.
func withCannedServer(_ body: (CannedMetricsServer, Int, HTTPClient) async throws -> Void) async throws {
    let server = CannedMetricsServer()
    let port = try await server.start()
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        try await body(server, port, client)
    } catch {
        try await client.shutdown()
        try await server.stop()
        throw error
    }
    try await client.shutdown()
    try await server.stop()
}
