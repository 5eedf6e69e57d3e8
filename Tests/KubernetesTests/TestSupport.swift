import Kubernetes
import KubernetesTestKit

/// Starts a fake API server and a client pointed at it, runs `body`, and shuts both down.
func withFakeAPI<T: Sendable>(
    configure: (inout KubernetesClientConfiguration) -> Void = { _ in },
    _ body: (FakeKubernetesAPIServer, KubernetesClient) async throws -> T
) async throws -> T {
    let server = try await FakeKubernetesAPIServer.start()
    var configuration = KubernetesClientConfiguration(server: server.baseURL)
    configuration.timeouts.request = .seconds(5)
    configure(&configuration)
    let client: KubernetesClient
    do {
        client = try KubernetesClient(configuration: configuration)
    } catch {
        try? await server.shutdown()
        throw error
    }
    do {
        let result = try await body(server, client)
        try? await client.shutdown()
        try await server.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        try? await server.shutdown()
        throw error
    }
}

/// Awaits `error` thrown by `body` as a `KubernetesError`, or records nil if it succeeded.
func kubernetesError(_ body: () async throws -> Void) async -> KubernetesError? {
    do {
        try await body()
        return nil
    } catch let error as KubernetesError {
        return error
    } catch {
        return KubernetesError(code: .unexpectedStatus, method: "?", url: "?", message: "not a KubernetesError: \(error)")
    }
}
