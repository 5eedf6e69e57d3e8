import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

/// The client against the fake over TLS: the cluster CA, client certificates, and a kubeconfig with inline data.
@Suite struct TLSTests {
    static let serverTLS = FakeTLS(
        certificateChainPEM: TLSFixtures.serverCertificate, privateKeyPEM: TLSFixtures.serverKey)
    static let mutualTLS = FakeTLS(
        certificateChainPEM: TLSFixtures.serverCertificate, privateKeyPEM: TLSFixtures.serverKey,
        clientCAPEM: TLSFixtures.caCertificate)

    /// Runs `body` with a TLS fake and a client made from `configuration(baseURL)`.
    func withTLSFake(
        _ tls: FakeTLS, configuration: (String) throws -> KubernetesClientConfiguration,
        _ body: (FakeKubernetesAPIServer, KubernetesClient) async throws -> Void
    ) async throws {
        let server = try await FakeKubernetesAPIServer.start(tls: tls)
        do {
            var config = try configuration(server.baseURL)
            config.timeouts.request = .seconds(5)
            let client = try KubernetesClient(configuration: config)
            do {
                try await body(server, client)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    @Test func clusterCAIsTrusted() async throws {
        try await withTLSFake(Self.serverTLS, configuration: {
            KubernetesClientConfiguration(server: $0, credentials: .bearerToken("t"), certificateAuthorityPEM: Array(TLSFixtures.caCertificate.utf8))
        }) { server, client in
            #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
            server.addDeployment(namespace: "ml", name: "web", replicas: 3, matchLabels: ["app": "web"])
            let scale = try await client.getScale(namespace: "ml", deployment: "web")
            #expect(scale.replicas == 3)
        }
    }

    @Test func anUntrustedServerIsRefused() async throws {
        try await withTLSFake(Self.serverTLS, configuration: {
            var configuration = KubernetesClientConfiguration(
                server: $0, credentials: .bearerToken("t"), certificateAuthorityPEM: Array(TLSFixtures.otherCACertificate.utf8))
            // async-http-client retries failed handshakes until the connect timeout.
            configuration.timeouts.connect = .milliseconds(300)
            return configuration
        }) { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 3, matchLabels: ["app": "web"])
            let error = await kubernetesError { _ = try await client.getScale(namespace: "ml", deployment: "web") }
            #expect(error?.code == .transport)
            #expect(error?.message.contains("TLS handshake failed") == true, "\(String(describing: error))")
            #expect(error?.message.contains("CERTIFICATE_VERIFY_FAILED") == true)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func clientCertificateIsPresentedWhenRequired() async throws {
        try await withTLSFake(Self.mutualTLS, configuration: {
            KubernetesClientConfiguration(
                server: $0,
                credentials: .clientCertificate(
                    certificatePEM: Array(TLSFixtures.clientCertificate.utf8), privateKeyPEM: Array(TLSFixtures.clientKey.utf8)),
                certificateAuthorityPEM: Array(TLSFixtures.caCertificate.utf8))
        }) { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            _ = try await client.patchScale(namespace: "ml", deployment: "web", replicas: 2, resourceVersion: nil)
            #expect(server.replicas(namespace: "ml", deployment: "web") == 2)
        }
        // Without a client certificate the handshake fails.
        try await withTLSFake(Self.mutualTLS, configuration: {
            KubernetesClientConfiguration(server: $0, credentials: .bearerToken("t"), certificateAuthorityPEM: Array(TLSFixtures.caCertificate.utf8))
        }) { server, client in
            let error = await kubernetesError { _ = try await client.listPods(namespace: "ml", labelSelector: nil) }
            #expect(error?.code == .transport)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func kubeconfigWithInlineCertificateData() async throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        try await withTLSFake(Self.mutualTLS, configuration: { url in
            let yaml = """
                apiVersion: v1
                kind: Config
                current-context: test
                clusters:
                - name: fake
                  cluster:
                    server: \(url)
                    certificate-authority-data: \(base64(TLSFixtures.caCertificate))
                users:
                - name: inferscale
                  user:
                    client-certificate-data: \(base64(TLSFixtures.clientCertificate))
                    client-key-data: \(base64(TLSFixtures.clientKey))
                contexts:
                - name: test
                  context: {cluster: fake, user: inferscale, namespace: ml}
                """
            let configuration = try Kubeconfig.parse(yaml: yaml).configuration()
            #expect(configuration.defaultNamespace == "ml")
            return configuration
        }) { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            let pods = try await client.listPods(namespace: "ml", labelSelector: "app=web")
            #expect(pods.items.compactMap(\.metadata.name) == ["web-1"])
        }
    }
}
