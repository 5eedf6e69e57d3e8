/// Each target's in-flight work per pod from its last scrape, kept for the scale-down that may follow: the
/// scraping source writes it, the actuator reads it to tell the ReplicaSet controller which pods to remove.
public actor PodWorkBook {
    private var work: [String: [String: Double]] = [:]  // target → pod → requests in flight
    private var written: [String: Int32] = [:]  // namespace/pod → the deletion cost last written

    public init() {}

    /// Replaces `target`'s figures with the last scrape's (pods that failed to answer are absent).
    public func record(_ target: String, _ inFlight: [String: Double]) { work[target] = inFlight }

    /// The last scrape's requests in flight per pod of `target`.
    public func inFlight(of target: String) -> [String: Double] { work[target] ?? [:] }

    /// Forgets a target that went away.
    public func forget(_ target: String) { work[target] = nil }

    /// Whether `cost` differs from what was last written on the pod (costs are written only when they change).
    func needsWrite(_ pod: String, _ cost: Int32) -> Bool { written[pod] != cost }

    /// Remembers a cost written on a pod.
    func wrote(_ pod: String, _ cost: Int32) {
        if written.count > 100_000 { written.removeAll() }  // bounded: at worst some costs are written again
        written[pod] = cost
    }
}
