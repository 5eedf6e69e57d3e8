import Rules

/// A policy to replay: the Knative KPA baseline, the HPA-style baseline, or a rule.
public enum PolicyChoice: Sendable, Equatable {
    /// Knative's decider on concurrency, with KServe's default of at least one replica.
    case kpa
    /// Kubernetes' HPA algorithm on concurrency per pod.
    case hpa
    /// A rule from the rule files, as if it owned the target.
    case rule(Rule)
    /// A fixed number of replicas that never changes (static provisioning).
    case fixed(Int)
    /// The clairvoyant reference: replicas set from the arrivals ahead (`OracleSchedule`).
    case oracle
    /// Not a replay: the lower bound on every scaler's replica-seconds (`ClairvoyantBound`).
    case bound

    public var name: String {
        switch self {
        case .kpa: "kpa"
        case .hpa: "hpa"
        case .rule(let r): r.name
        case .fixed(let n): "fixed-\(n)"
        case .oracle: "oracle"
        case .bound: "bound"
        }
    }
}
