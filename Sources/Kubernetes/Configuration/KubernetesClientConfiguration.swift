import Foundation

/// Everything the client needs to reach and authenticate to an API server. Build it with `inCluster(…)` or
/// `Kubeconfig.configuration(…)`, or field by field (tests point `server` at the fake on 127.0.0.1).
public struct KubernetesClientConfiguration: Sendable {
    /// Base URL of the API server, e.g. `https://10.96.0.1:443` (no trailing slash).
    public var server: String
    /// How requests authenticate.
    public var credentials: Credentials
    /// PEM bundle of CAs that sign the API server's certificate; nil uses the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// Skip verification of the server certificate (kubeconfig `insecure-skip-tls-verify`). Default false.
    public var insecureSkipTLSVerify: Bool = false
    /// Namespace from the kubeconfig context or the in-cluster namespace file; nil when none was given.
    public var defaultNamespace: String?
    /// Timeouts.
    public var timeouts = Timeouts()
    /// Size limits on responses.
    public var limits = Limits()
    /// `User-Agent` header value. Default `inferscale`.
    public var userAgent: String = "inferscale"
    /// The `fieldManager` every scale write names, so the API server records inferscale (all its replicas alike)
    /// as the owner of `spec.replicas` in `metadata.managedFields`. Default `inferscale`.
    public var fieldManager: String = KubernetesClientConfiguration.defaultFieldManager
    /// `inferscale`: the field manager discovery takes for its own.
    public static let defaultFieldManager = "inferscale"

    /// Creates a configuration with defaults for timeouts and limits.
    public init(server: String, credentials: Credentials = .none, certificateAuthorityPEM: [UInt8]? = nil) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.credentials = credentials
        self.certificateAuthorityPEM = certificateAuthorityPEM
    }

    /// How requests authenticate.
    public enum Credentials: Sendable {
        /// No credentials (anonymous; the API server answers 403 for most requests).
        case none
        /// A fixed bearer token.
        case bearerToken(String)
        /// A bearer token read from a file and re-read when the file's modification time changes or every
        /// `rereadInterval`, whichever comes first (projected service-account tokens rotate about hourly).
        case bearerTokenFile(path: String, rereadInterval: Duration)
        /// A TLS client certificate and key, both PEM.
        case clientCertificate(certificatePEM: [UInt8], privateKeyPEM: [UInt8])
    }

    /// Timeouts. All are wall-clock durations.
    public struct Timeouts: Sendable {
        /// TCP + TLS connection setup. Default 5 s.
        public var connect: Duration = .seconds(5)
        /// Whole request, for everything but watches. Default 30 s.
        public var request: Duration = .seconds(30)
        /// `timeoutSeconds` asked of the server for each watch; the server ends the stream then and the watcher
        /// resumes. Default 300 s (client-go picks 5–10 min).
        public var watchServerTimeout: Duration = .seconds(300)
        /// Extra time the client allows past `watchServerTimeout` before it abandons a silent watch. Default 30 s.
        public var watchClientGrace: Duration = .seconds(30)

        /// Creates the defaults.
        public init() {}
    }

    /// Limits that keep a hostile or broken server from using unbounded memory.
    public struct Limits: Sendable {
        /// Largest non-watch response body, in bytes. Default 16 MiB.
        public var maxResponseBodyBytes: Int = 16 * 1024 * 1024
        /// Largest single watch event (one JSON line), in bytes. Default 4 MiB.
        public var maxWatchEventBytes: Int = 4 * 1024 * 1024
        /// Page size (`limit`) for list requests, in objects. Default 500.
        public var listPageSize: Int = 500
        /// Most pages one list may take before it fails. Default 100 (50 000 objects at the default size).
        public var maxListPages: Int = 100

        /// Creates the defaults.
        public init() {}
    }

    /// Default directory of the mounted service-account files (`token`, `ca.crt`, `namespace`).
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// In-cluster configuration from the service-account mount.
    ///
    /// The caller passes `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` (the library reads no environment).
    /// - Parameters:
    ///   - host: API server host (an IPv6 address is bracketed automatically).
    ///   - port: API server port, e.g. `443`.
    ///   - serviceAccountDirectory: where `token`, `ca.crt` and `namespace` are mounted.
    ///   - tokenRereadInterval: upper bound between token re-reads; default 60 s.
    public static func inCluster(
        host: String, port: String, serviceAccountDirectory: String = KubernetesClientConfiguration.serviceAccountDirectory,
        tokenRereadInterval: Duration = .seconds(60)
    ) throws -> KubernetesClientConfiguration {
        guard !host.isEmpty, !port.isEmpty else {
            throw KubernetesConfigurationError(
                code: .invalidServer,
                message: "in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT; got host \"\(host)\", port \"\(port)\" (is this running in a pod?)"
            )
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let tokenPath = serviceAccountDirectory + "/token"
        // Fail early with a clear message when the token is not mounted.
        _ = try TokenFileSource.readToken(path: tokenPath)
        let caPath = serviceAccountDirectory + "/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw KubernetesConfigurationError(
                code: .unreadableFile,
                message: "cannot read the cluster CA at \(caPath) (automountServiceAccountToken disabled?)"
            )
        }
        var configuration = KubernetesClientConfiguration(
            server: "https://\(hostPart):\(port)",
            credentials: .bearerTokenFile(path: tokenPath, rereadInterval: tokenRereadInterval),
            certificateAuthorityPEM: Array(ca)
        )
        if let namespace = FileManager.default.contents(atPath: serviceAccountDirectory + "/namespace") {
            let text = String(decoding: namespace, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            configuration.defaultNamespace = text.isEmpty ? nil : text
        }
        return configuration
    }
}
