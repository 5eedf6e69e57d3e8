/// The outcome of one decider evaluation, with the intermediate values that explain it.
public struct ScaleResult: Sendable, Equatable {
    /// Recommended pods (before min/max bounds and scale-to-zero gating); −1 when invalid.
    public var desiredPodCount: Int32
    /// Spare capacity in requests beyond the target burst capacity; negative means the
    /// activator should stay in the request path. 0 when invalid.
    public var excessBurstCapacity: Int32
    /// False when the decider had no data or no pod count: keep the previous decision.
    public var isValid: Bool

    /// Why an evaluation is invalid, when it is.
    public enum InvalidReason: String, Sendable {
        /// The stable window saw no data for a whole window.
        case noData = "no-data"
        /// The ready pod count could not be read.
        case noPodCount = "no-pod-count"
    }
    /// Set when `isValid` is false.
    public var invalidReason: InvalidReason?

    /// The inputs and each intermediate step, for logs and `explain`.
    public struct Details: Sendable, Equatable {
        /// Ready pods as observed (may be 0).
        public var readyPods: Int
        /// Stable- and panic-window values (revision totals).
        public var observation: Observation
        /// `ceil(stable / target)` and `ceil(panic / target)` before limits.
        public var rawStablePods: Double
        public var rawPanicPods: Double
        /// The rate limits relative to the ready pods.
        public var maxScaleUp: Double
        public var maxScaleDown: Double
        /// The stable and panic counts after rate limits and activation scale.
        public var stablePods: Int32
        public var panicPods: Int32
        /// Whether the decider was in panic mode after this evaluation.
        public var inPanic: Bool
        /// The count before the scale-down delay, when the delay changed it.
        public var undelayedPods: Int32?
    }
    /// Present for valid evaluations.
    public var details: Details?

    /// Knative's invalid result: desired −1, excess burst capacity 0.
    static func invalid(_ reason: InvalidReason) -> ScaleResult {
        ScaleResult(desiredPodCount: -1, excessBurstCapacity: 0, isValid: false, invalidReason: reason, details: nil)
    }
}
