/// The GPU memory of a target's ready pods at one scrape, per pod, as node exporters (the GPU agent or
/// dcgm-exporter) reported it: what the GPU-memory guard estimates a scale-down from, and what a decision
/// record shows (`inferscale explain`). Shares are fractions 0–1 of each GPU's memory.
public struct GPUMemoryFigures: Sendable, Equatable, Codable {
    /// One pod's GPUs.
    public struct Pod: Sendable, Equatable, Codable {
        /// The pod's name (the target's namespace).
        public var name: String
        /// The highest used share (0–1) among the pod's GPUs.
        public var max: Double
        /// The mean used share (0–1) over the pod's GPUs.
        public var mean: Double
        /// GPUs (or MIG devices) the pod holds.
        public var devices: Int

        /// Creates a pod's figures; shares 0–1.
        public init(name: String, max: Double, mean: Double, devices: Int) {
            self.name = name
            self.max = max
            self.mean = mean
            self.devices = devices
        }
    }

    /// Pods with a reading, by name.
    public var pods: [Pod]
    /// Ready pods without one (no exporter named them, or one of their GPUs has no reading), by name.
    public var missing: [String]

    /// Creates the figures; pods are kept sorted by name.
    public init(pods: [Pod], missing: [String] = []) {
        self.pods = pods.sorted { $0.name < $1.name }
        self.missing = missing.sorted()
    }

    /// The highest used share over every pod: the `gpu-memory-utilization` signal. nil without pods.
    public var max: Double? { pods.map(\.max).max() }

    /// The mean used share over every GPU of the pods, for the report. nil without pods.
    public var mean: Double? {
        let devices = pods.reduce(0) { $0 + $1.devices }
        guard devices > 0 else { return nil }
        return pods.reduce(0) { $0 + $1.mean * Double($1.devices) } / Double(devices)
    }

    /// The estimate behind the guard for keeping `replicas` pods: the pods with the least GPU memory leave
    /// first (the idlest, as the actuator's deletion costs remove the pods with the least work), and what they
    /// held is spread evenly over the pods that stay. Returns the highest share a remaining pod would reach;
    /// nil when no pod would remain (nothing left to overfill) or none leaves.
    public func estimatedMax(keeping replicas: Int) -> Double? {
        guard replicas > 0, replicas < pods.count else { return nil }
        let byUse = pods.map(\.max).sorted()
        let leaving = byUse.prefix(pods.count - replicas).reduce(0, +)
        let moved = leaving / Double(replicas)
        return byUse.suffix(replicas).map { $0 + moved }.max()
    }

    /// The fewest replicas, from `desired` up to the pods with a reading, whose estimate stays at or under
    /// `ceiling`, with that estimate (nil when it is the pods' count and nothing leaves).
    public func replicasNeeded(from desired: Int, ceiling: Double) -> (replicas: Int, estimate: Double?) {
        guard desired > 0 else { return (desired, nil) }
        var keep = desired
        while keep < pods.count, let estimate = estimatedMax(keeping: keep), estimate > ceiling { keep += 1 }
        return (keep, estimatedMax(keeping: keep))
    }
}
