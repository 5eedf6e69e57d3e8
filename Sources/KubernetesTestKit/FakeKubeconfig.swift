import Foundation

extension FakeKubernetesAPIServer {
    /// Writes a kubeconfig into `directory` whose one context points at this server with a bearer token, for
    /// `inferscale` processes started by tests and benchmarks; returns its path.
    public func writeKubeconfig(in directory: URL, user: String = "tester", token: String = "test-token") throws -> URL {
        let file = directory.appendingPathComponent("kubeconfig")
        try """
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
            - name: fake
              cluster: {server: "\(baseURL)"}
            users:
            - name: \(user)
              user: {token: \(token)}
            contexts:
            - name: fake
              context: {cluster: fake, user: \(user)}
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
