/// What the control loop knows about a target's pods at one evaluation.
public struct PodCounts: Sendable, Equatable {
    /// Pods Running and Ready and not terminating.
    public var ready: Int
    /// Pods that exist but are not ready yet (starting, or failing probes).
    public var notReady: Int
    /// Seconds since the youngest ready pod became ready, when known.
    public var youngestReadyAgeSeconds: Double?
    /// Replicas currently requested on the scale subresource (defaults to ready + not ready).
    public var currentReplicas: Int
    /// Creation and readiness of the ready pods whose creation time is known (cold starts).
    public var startups: [PodStartup]

    public init(ready: Int, notReady: Int = 0, youngestReadyAgeSeconds: Double? = nil, currentReplicas: Int? = nil,
                startups: [PodStartup] = []) {
        self.startups = startups
        self.ready = ready
        self.notReady = notReady
        self.youngestReadyAgeSeconds = youngestReadyAgeSeconds
        self.currentReplicas = currentReplicas ?? ready + notReady
    }
}
