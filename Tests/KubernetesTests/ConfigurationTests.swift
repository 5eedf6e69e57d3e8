import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

@Suite struct ConfigurationTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "inferscale-k8s-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    let kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://127.0.0.1:6443
            certificate-authority-data: LS0tLS1CRUdJTi0tLS0t
        - name: plain
          cluster:
            server: http://127.0.0.1:8080
            insecure-skip-tls-verify: true
        users:
        - name: dev-user
          user:
            token: abc123
        - name: cert-user
          user:
            client-certificate: certs/client.crt
            client-key-data: a2V5
        - name: exec-user
          user:
            exec:
              command: aws
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: dev-user, namespace: ml}
        - name: certs
          context: {cluster: plain, user: cert-user}
        - name: exec
          context: {cluster: plain, user: exec-user}
        - name: broken-user
          context: {cluster: plain, user: nobody}
        - name: broken-cluster
          context: {cluster: nowhere, user: dev-user}
        """

    @Test func currentContextWithToken() throws {
        let configuration = try Kubeconfig.parse(yaml: kubeconfig).configuration()
        #expect(configuration.server == "https://127.0.0.1:6443")
        #expect(configuration.defaultNamespace == "ml")
        #expect(configuration.certificateAuthorityPEM == Array("-----BEGIN-----".utf8))
        guard case .bearerToken("abc123") = configuration.credentials else { return #expect(Bool(false)) }
    }

    @Test func clientCertificateFromFileAndInlineKey() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/certs", withIntermediateDirectories: true)
        try Data("CERT".utf8).write(to: URL(fileURLWithPath: directory + "/certs/client.crt"))
        let configuration = try Kubeconfig.parse(yaml: kubeconfig).configuration(context: "certs", baseDirectory: directory)
        #expect(configuration.insecureSkipTLSVerify)
        guard case .clientCertificate(let certificate, let key) = configuration.credentials else { return #expect(Bool(false)) }
        #expect(certificate == Array("CERT".utf8))
        #expect(key == Array("key".utf8))
    }

    @Test(arguments: [
        ("missing", KubernetesConfigurationError.Code.missingContext, "context \"missing\" not found"),
        ("broken-user", .missingUser, "names user \"nobody\""),
        ("broken-cluster", .missingCluster, "names cluster \"nowhere\""),
        ("exec", .unsupportedAuthentication, "exec"),
    ])
    func clearErrors(context: String, code: KubernetesConfigurationError.Code, fragment: String) throws {
        do {
            _ = try Kubeconfig.parse(yaml: kubeconfig).configuration(context: context)
            Issue.record("expected an error")
        } catch let error as KubernetesConfigurationError {
            #expect(error.code == code)
            #expect(error.message.contains(fragment))
        }
    }

    @Test func noCurrentContextAndMalformedFiles() throws {
        #expect(throws: KubernetesConfigurationError.self) {
            _ = try Kubeconfig.parse(yaml: "clusters: []\n").configuration()
        }
        #expect(throws: KubernetesConfigurationError.self) {
            _ = try Kubeconfig.parse(yaml: "clusters: {not: [a list\n")
        }
        #expect(throws: KubernetesConfigurationError.self) {
            _ = try Kubeconfig.load(path: "/nonexistent/kubeconfig")
        }
    }

    @Test func inClusterReadsTheMountedFiles() throws {
        let directory = try temporaryDirectory()
        try Data("token-1\n".utf8).write(to: URL(fileURLWithPath: directory + "/token"))
        try Data("CA".utf8).write(to: URL(fileURLWithPath: directory + "/ca.crt"))
        try Data("ml\n".utf8).write(to: URL(fileURLWithPath: directory + "/namespace"))
        let configuration = try KubernetesClientConfiguration.inCluster(
            host: "fd00::1", port: "443", serviceAccountDirectory: directory)
        #expect(configuration.server == "https://[fd00::1]:443")
        #expect(configuration.defaultNamespace == "ml")
        #expect(configuration.certificateAuthorityPEM == Array("CA".utf8))
        guard case .bearerTokenFile(let path, let interval) = configuration.credentials else { return #expect(Bool(false)) }
        #expect(path == directory + "/token")
        #expect(interval == .seconds(60))

        #expect(throws: KubernetesConfigurationError.self) {
            _ = try KubernetesClientConfiguration.inCluster(host: "", port: "443", serviceAccountDirectory: directory)
        }
        #expect(throws: KubernetesConfigurationError.self) {
            _ = try KubernetesClientConfiguration.inCluster(host: "10.0.0.1", port: "443", serviceAccountDirectory: directory + "/nope")
        }
    }

    @Test func tokenFileIsReReadWhenItChangesOrItsIntervalPasses() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/token"
        try Data("one".utf8).write(to: URL(fileURLWithPath: path))
        let source = TokenFileSource(path: path, rereadInterval: .seconds(60))
        let start = ContinuousClock.now
        #expect(try source.token(now: start) == "one")
        // A rotation changes the modification time: picked up at once.
        try Data("two".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: path)
        #expect(try source.token(now: start + .seconds(1)) == "two")
        // Same modification time, new content: only after the interval.
        let date = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        try Data("three".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        #expect(try source.token(now: start + .seconds(2)) == "two")
        #expect(try source.token(now: start + .seconds(62)) == "three")
        // A vanished file keeps the last good token.
        try FileManager.default.removeItem(atPath: path)
        #expect(try source.token(now: start + .seconds(200)) == "three")
        #expect(throws: KubernetesConfigurationError.self) {
            _ = try TokenFileSource(path: path, rereadInterval: .seconds(1)).token()
        }
    }

    @Test func rotatedTokenIsUsedByTheClient() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/token"
        try Data("old-token".utf8).write(to: URL(fileURLWithPath: path))
        try await withFakeAPI(configure: { $0.credentials = .bearerTokenFile(path: path, rereadInterval: .seconds(3600)) }) {
            server, client in
            server.setAcceptedTokens(["old-token"])
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            _ = try await client.getScale(namespace: "ml", deployment: "web")
            // The token rotates: the server only accepts the new one now.
            try Data("new-token".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
            server.setAcceptedTokens(["new-token"])
            _ = try await client.getScale(namespace: "ml", deployment: "web")
            // A wrong token is 401 with advice.
            server.setAcceptedTokens(["other"])
            let error = await kubernetesError { _ = try await client.getScale(namespace: "ml", deployment: "web") }
            #expect(error?.code == .unauthorized)
            #expect(error?.description.contains("token") == true)
        }
    }

    @Test func anonymousRequestsAreForbiddenAsAnonymous() async throws {
        try await withFakeAPI { server, client in
            server.setAcceptedTokens(["secret"])
            let error = await kubernetesError { _ = try await client.listPods(namespace: "ml", labelSelector: nil) }
            #expect(error?.code == .forbidden)
            #expect(error?.message.contains("User \"system:anonymous\" cannot list resource \"pods\"") == true)
        }
    }

    @Test func badCertificatesFailAtConstruction() async throws {
        var configuration = KubernetesClientConfiguration(server: "https://127.0.0.1:6443")
        configuration.certificateAuthorityPEM = Array("not a certificate".utf8)
        for bad in [configuration, KubernetesClientConfiguration(server: "ftp://example")] {
            do {
                let client = try KubernetesClient(configuration: bad)
                try await client.shutdown()
                Issue.record("expected a configuration error for \(bad.server)")
            } catch let error as KubernetesConfigurationError {
                #expect(error.code == .invalidCertificate || error.code == .invalidServer)
            }
        }
    }
}
