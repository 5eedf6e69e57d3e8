/// TLS settings for `FakeKubernetesAPIServer`: its certificate and key, and optionally a CA whose client
/// certificates it requires (as an API server with `--client-ca-file` does for certificate users).
public struct FakeTLS: Sendable {
    /// PEM certificate chain of the server (leaf first).
    public var certificateChainPEM: String
    /// PEM private key of the server.
    public var privateKeyPEM: String
    /// PEM CA bundle for client certificates; when set, a client without a certificate signed by it is refused
    /// during the handshake.
    public var clientCAPEM: String?

    /// Creates TLS settings.
    public init(certificateChainPEM: String, privateKeyPEM: String, clientCAPEM: String? = nil) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.clientCAPEM = clientCAPEM
    }
}
