/// A kind of workload with a `/scale` subresource that inferscale reads and patches.
public enum ScaleTargetKind: String, Sendable, Equatable, Hashable, Codable {
    /// apps/v1 Deployment.
    case deployment = "Deployment"
    /// leaderworkerset.x-k8s.io/v1 LeaderWorkerSet (multi-node LLM serving); its CRD declares a scale subresource.
    case leaderWorkerSet = "LeaderWorkerSet"

    /// API group, as in paths and RBAC rules.
    public var group: String {
        switch self {
        case .deployment: "apps"
        case .leaderWorkerSet: "leaderworkerset.x-k8s.io"
        }
    }

    /// `group/version`.
    public var apiVersion: String {
        switch self {
        case .deployment: "apps/v1"
        case .leaderWorkerSet: "leaderworkerset.x-k8s.io/v1"
        }
    }

    /// Plural resource name.
    public var resource: String {
        switch self {
        case .deployment: "deployments"
        case .leaderWorkerSet: "leaderworkersets"
        }
    }
}
