import Foundation
import Kubernetes

/// How `run` and `check` reach the API server: `--kubeconfig` (with `--context`), else the in-cluster
/// service account, else `$KUBECONFIG` outside a cluster.
enum KubernetesConnection {
    static func configuration(kubeconfig: String?, context: String?, environment env: [String: String]) throws -> KubernetesClientConfiguration {
        do {
            if let path = kubeconfig ?? (env["KUBERNETES_SERVICE_HOST"] == nil ? env["KUBECONFIG"] : nil) {
                return try Kubeconfig.load(path: path, context: context)
            }
            return try .inCluster(host: env["KUBERNETES_SERVICE_HOST"] ?? "", port: env["KUBERNETES_SERVICE_PORT"] ?? "")
        } catch {
            throw InputError(message: "cannot configure the Kubernetes client: \(error)")
        }
    }
}
