/// A problem with the client configuration (kubeconfig, in-cluster files, certificates) found before any request.
public struct KubernetesConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Sendable, Equatable {
        /// A file could not be read.
        case unreadableFile
        /// The kubeconfig is not valid YAML or not a kubeconfig.
        case malformedKubeconfig
        /// No context was selected and `current-context` is empty.
        case noCurrentContext
        /// The selected context does not exist.
        case missingContext
        /// The context names a cluster that does not exist.
        case missingCluster
        /// The context names a user that does not exist.
        case missingUser
        /// The user uses an authentication method this client does not support (exec, auth-provider, basic auth).
        case unsupportedAuthentication
        /// Base64 data in the kubeconfig is not valid.
        case invalidBase64
        /// A certificate or key could not be parsed.
        case invalidCertificate
        /// The server address is not a valid http(s) URL.
        case invalidServer
        /// A setting is out of range or inconsistent with another (e.g. leader-election timing).
        case invalidSetting
    }

    /// What is wrong.
    public var code: Code
    /// What to fix, with the file, context, user or cluster involved.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message, prefixed with the code.
    public var description: String { "Kubernetes configuration (\(code.rawValue)): \(message)" }
}
