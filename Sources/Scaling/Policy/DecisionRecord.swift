/// Why a target got the replica count it got: the inputs, which metric won, every clamp in
/// the order applied, and the result. One per evaluation; the decision log writes them as
/// JSON lines and `inferscale explain` prints them.
public struct DecisionRecord: Sendable, Equatable, Codable {
    /// One metric's part in the decision.
    public struct MetricInput: Sendable, Equatable, Codable {
        public var signal: Signal
        /// Window averages (nil when the signal is missing).
        public var stable: Double?
        public var panic: Double?
        /// Per-pod target.
        public var target: Double
        /// `ceil(stable ÷ target)` and `ceil(panic ÷ target)` (utilisations: × ready pods first).
        public var stablePods: Double?
        public var panicPods: Double?
        /// Panic-only metrics do not vote in stable mode.
        public var panicOnly: Bool
    }

    /// One step that changed (or held) the count.
    public struct Clamp: Sendable, Equatable, Codable {
        /// rate-limit, activation-scale, panic-hold, scale-down-delay, guard:<name>, bounds, missing-signal.
        public var step: String
        public var from: Int32
        public var to: Int32
        /// A few words of why.
        public var detail: String

        /// Creates a clamp record.
        public init(step: String, from: Int32, to: Int32, detail: String) {
            self.step = step
            self.from = from
            self.to = to
            self.detail = detail
        }
    }

    /// Target name (namespace/name) when known.
    public var target: String
    /// Seconds since the Unix epoch (simulated or real).
    public var time: Double
    public var readyPods: Int
    public var currentReplicas: Int
    public var inputs: [MetricInput]
    /// The signal whose recommendation won (nil when invalid).
    public var winner: Signal?
    public var clamps: [Clamp]
    /// The final desired count (−1 when invalid).
    public var desired: Int32
    public var valid: Bool
    public var inPanic: Bool
    public var excessBurstCapacity: Int32
    /// Signals the policy needs that were missing.
    public var missingSignals: [Signal]
    /// With an objective policy: capacity, demand, forecast and the count they give.
    public var objective: ObjectiveEstimate?
    /// The per-pod GPU memory from node exporters behind this decision, when the target's pods have some
    /// (absent from older decision logs).
    public var gpuMemory: GPUMemoryFigures? = nil
    /// Ceiling guards (`kv-cache`, `gpu-memory`) that had no reading at all for the target's pods at this
    /// evaluation, so hold any scale-down it asks for; nil when none (and in older decision logs).
    public var guardsWithoutReadings: [String]? = nil
}
