import Foundation
import Yams

/// A kubeconfig file (`~/.kube/config`): clusters, users and contexts. Only what the client uses is decoded.
public struct Kubeconfig: Decodable, Sendable {
    /// Named clusters.
    public var clusters: [NamedCluster]
    /// Named users (credentials).
    public var users: [NamedUser]
    /// Named contexts (cluster + user + namespace).
    public var contexts: [NamedContext]
    /// The context used when none is chosen.
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    /// Decodes; missing lists are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try container.decodeIfPresent([NamedCluster].self, forKey: .clusters) ?? []
        users = try container.decodeIfPresent([NamedUser].self, forKey: .users) ?? []
        contexts = try container.decodeIfPresent([NamedContext].self, forKey: .contexts) ?? []
        currentContext = try container.decodeIfPresent(String.self, forKey: .currentContext)
    }

    /// A `clusters[]` entry.
    public struct NamedCluster: Decodable, Sendable {
        /// Entry name.
        public var name: String
        /// Cluster settings.
        public var cluster: Cluster
    }

    /// Cluster settings.
    public struct Cluster: Decodable, Sendable {
        /// API server URL.
        public var server: String?
        /// Path of a CA bundle file.
        public var certificateAuthority: String?
        /// Base64 of a PEM CA bundle.
        public var certificateAuthorityData: String?
        /// Skip server certificate verification.
        public var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    /// A `users[]` entry.
    public struct NamedUser: Decodable, Sendable {
        /// Entry name.
        public var name: String
        /// Credentials.
        public var user: User
    }

    /// Credentials of a user.
    public struct User: Decodable, Sendable {
        /// Inline bearer token.
        public var token: String?
        /// Path of a bearer token file.
        public var tokenFile: String?
        /// Path of a PEM client certificate.
        public var clientCertificate: String?
        /// Base64 of a PEM client certificate.
        public var clientCertificateData: String?
        /// Path of a PEM client key.
        public var clientKey: String?
        /// Base64 of a PEM client key.
        public var clientKeyData: String?
        /// Presence marks unsupported auth methods.
        var exec: IgnoredValue?
        var authProvider: IgnoredValue?
        var username: String?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    /// A `contexts[]` entry.
    public struct NamedContext: Decodable, Sendable {
        /// Entry name.
        public var name: String
        /// The context.
        public var context: Context
    }

    /// A context.
    public struct Context: Decodable, Sendable {
        /// Cluster entry name.
        public var cluster: String?
        /// User entry name.
        public var user: String?
        /// Default namespace.
        public var namespace: String?
    }

    /// Any YAML value whose content is not needed.
    struct IgnoredValue: Decodable, Sendable {
        init(from decoder: any Decoder) throws {}
    }

    /// Parses kubeconfig YAML.
    public static func parse(yaml: String, source: String = "kubeconfig") throws -> Kubeconfig {
        do {
            return try YAMLDecoder().decode(Kubeconfig.self, from: yaml)
        } catch {
            throw KubernetesConfigurationError(code: .malformedKubeconfig, message: "\(source) is not a valid kubeconfig: \(error)")
        }
    }

    /// Reads and parses a kubeconfig file (at most 1 MiB). Relative file paths inside it resolve against its folder.
    public static func load(path: String, context: String? = nil) throws -> KubernetesClientConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesConfigurationError(code: .unreadableFile, message: "cannot read kubeconfig \(path)")
        }
        guard data.count <= 1024 * 1024 else {
            throw KubernetesConfigurationError(code: .malformedKubeconfig, message: "kubeconfig \(path) is larger than 1 MiB")
        }
        let kubeconfig = try parse(yaml: String(decoding: data, as: UTF8.self), source: path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try kubeconfig.configuration(context: context, baseDirectory: directory)
    }

    /// Resolves a context (or `current-context`) into a client configuration.
    /// - Parameters:
    ///   - context: context name; nil uses `current-context`.
    ///   - baseDirectory: folder against which relative file paths resolve.
    public func configuration(context: String? = nil, baseDirectory: String = ".") throws -> KubernetesClientConfiguration {
        guard let contextName = context ?? currentContext, !contextName.isEmpty else {
            throw KubernetesConfigurationError(
                code: .noCurrentContext,
                message: "no context chosen and current-context is empty; contexts available: \(contexts.map(\.name))")
        }
        guard let namedContext = contexts.first(where: { $0.name == contextName }) else {
            throw KubernetesConfigurationError(
                code: .missingContext,
                message: "context \"\(contextName)\" not found; contexts available: \(contexts.map(\.name))")
        }
        let clusterName = namedContext.context.cluster ?? ""
        guard let cluster = clusters.first(where: { $0.name == clusterName })?.cluster else {
            throw KubernetesConfigurationError(
                code: .missingCluster,
                message: "context \"\(contextName)\" names cluster \"\(clusterName)\", which is not in clusters: \(clusters.map(\.name))")
        }
        let userName = namedContext.context.user ?? ""
        guard let user = users.first(where: { $0.name == userName })?.user else {
            throw KubernetesConfigurationError(
                code: .missingUser,
                message: "context \"\(contextName)\" names user \"\(userName)\", which is not in users: \(users.map(\.name))")
        }
        guard let server = cluster.server, server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw KubernetesConfigurationError(
                code: .invalidServer,
                message: "cluster \"\(clusterName)\" has server \"\(cluster.server ?? "")\"; an http(s) URL is needed")
        }

        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : baseDirectory + "/" + path
        }
        func bytes(data: String?, file: String?, what: String) throws -> [UInt8]? {
            if let data {
                guard let decoded = Data(base64Encoded: data.filter { !$0.isWhitespace }) else {
                    throw KubernetesConfigurationError(code: .invalidBase64, message: "\(what) is not valid base64")
                }
                return Array(decoded)
            }
            if let file {
                guard let contents = FileManager.default.contents(atPath: resolve(file)) else {
                    throw KubernetesConfigurationError(code: .unreadableFile, message: "cannot read \(what) file \(resolve(file))")
                }
                return Array(contents)
            }
            return nil
        }

        let credentials: KubernetesClientConfiguration.Credentials
        if user.exec != nil || user.authProvider != nil || user.username != nil {
            throw KubernetesConfigurationError(
                code: .unsupportedAuthentication,
                message: "user \"\(userName)\" uses exec, auth-provider or basic auth, which inferscale does not support; use a token, a token file or a client certificate")
        } else if let token = user.token {
            credentials = .bearerToken(token)
        } else if let tokenFile = user.tokenFile {
            credentials = .bearerTokenFile(path: resolve(tokenFile), rereadInterval: .seconds(60))
        } else if let certificate = try bytes(
            data: user.clientCertificateData, file: user.clientCertificate, what: "user \"\(userName)\" client certificate")
        {
            guard let key = try bytes(data: user.clientKeyData, file: user.clientKey, what: "user \"\(userName)\" client key") else {
                throw KubernetesConfigurationError(
                    code: .invalidCertificate, message: "user \"\(userName)\" has a client certificate but no client key")
            }
            credentials = .clientCertificate(certificatePEM: certificate, privateKeyPEM: key)
        } else {
            credentials = .none
        }

        var configuration = KubernetesClientConfiguration(
            server: server, credentials: credentials,
            certificateAuthorityPEM: try bytes(
                data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
                what: "cluster \"\(clusterName)\" certificate authority"))
        configuration.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        configuration.defaultNamespace = namedContext.context.namespace
        return configuration
    }
}
