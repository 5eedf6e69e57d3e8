/// Who may write a target's replicas, as discovery found it. Discovery decides this from the platform's
/// contract (KServe's autoscaler class, an HPA or ScaledObject on the same workload, an operator's pause);
/// the loop obeys it.
public enum TargetControl: Sendable, Equatable, Codable {
    /// inferscale owns the replica count.
    case owned
    /// An operator paused inferscale here (`inferscale.dev/paused`): decisions are still computed, logged and
    /// exported, never applied; with `holdAt` (`inferscale.dev/paused-replicas`) the replicas are held at that count.
    case paused(holdAt: Int?)
    /// Not inferscale's to scale (not handed over, another autoscaler owns it, or unreadable): not scraped,
    /// decided or patched. `reason` says why and what to do.
    case skipped(reason: String)

    /// `owned`, `paused` or `skipped`, as `/debug/targets` and the metrics name the state.
    public var state: String {
        switch self {
        case .owned: "owned"
        case .paused: "paused"
        case .skipped: "skipped"
        }
    }

    /// Whether the loop scrapes and decides the target (everything but skipped).
    public var isScraped: Bool {
        if case .skipped = self { return false }
        return true
    }
}
