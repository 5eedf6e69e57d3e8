/// Knative's KPA decider (`pkg/autoscaler/scaling/autoscaler.go`, `Scale`): from the ready
/// pods and the stable/panic window values it recommends a pod count, with panic mode,
/// rate limits, activation scale, scale-down delay and the excess burst capacity.
///
/// Pure and deterministic: every input, the time included, is a parameter.
public struct Decider: Sendable {
    /// The revision's resolved settings.
    public private(set) var spec: DeciderSpec
    /// When panic mode was last entered or refreshed; nil when not panicking.
    public private(set) var panicTime: Timestamp?
    /// The highest count recommended during the current panic (never scale down in panic).
    public private(set) var maxPanicPods: Int32
    /// Sliding maximum for the scale-down delay; fixed when the decider is created.
    private var delayWindow: TimedMaximumWindow?

    /// Creates a decider at `now` for a revision that has `readyPods` ready pods.
    ///
    /// With more than one ready pod (an autoscaler restart, say) it starts in panic mode
    /// holding that count, so the lost window history cannot cause a scale-down for at
    /// least one stable window.
    public init(spec: DeciderSpec, readyPods: Int, now: Timestamp) {
        self.spec = spec
        panicTime = readyPods > 1 ? now : nil
        maxPanicPods = Int32(clamping: readyPods)
        if spec.scaleDownDelaySeconds > 0 {
            delayWindow = TimedMaximumWindow(durationSeconds: Double(spec.scaleDownDelaySeconds), granularitySeconds: 2)
        }
    }

    /// Whether the decider is in panic mode.
    public var inPanic: Bool { panicTime != nil }

    /// Replaces the settings. The scale-down delay window keeps the length it was created
    /// with, as in Knative.
    public mutating func update(spec: DeciderSpec) {
        self.spec = spec
    }

    /// One evaluation at `now`.
    ///
    /// - Parameters:
    ///   - readyPods: ready pods now, or nil when they could not be counted (invalid result).
    ///   - observation: the window values of the spec's metric, or nil for no data (invalid result).
    public mutating func evaluate(readyPods: Int?, observation: Observation?, now: Timestamp) -> ScaleResult {
        guard let originalReady = readyPods else { return .invalid(.noPodCount) }
        guard let observation else { return .invalid(.noData) }
        let rawStable = (observation.stable / spec.targetValue).rounded(.up)
        let rawPanic = (observation.panic / spec.targetValue).rounded(.up)
        return evaluate(readyPods: originalReady, rawStablePods: rawStable, rawPanicPods: rawPanic,
                        observation: observation, now: now)
    }

    /// One evaluation from pod counts computed elsewhere — the multi-metric policies pass
    /// the largest count over their metrics. `observation` supplies the panic value for the
    /// excess burst capacity (requests in flight).
    ///
    /// - Parameters:
    ///   - rawStablePods: unclamped stable-window pod count, `ceil(stable ÷ target)`.
    ///   - rawPanicPods: unclamped panic-window pod count, `ceil(panic ÷ target)`.
    public mutating func evaluate(
        readyPods originalReady: Int, rawStablePods rawStable: Double, rawPanicPods rawPanic: Double,
        observation: Observation, now: Timestamp
    ) -> ScaleResult {
        let spec = self.spec
        let ready = max(1, Double(originalReady))

        // Rate limits are relative to ready pods, not to the last decision. `ceil` lets a
        // small scale-up rate still add a pod; `floor` is the mirror image.
        let maxScaleUp = (spec.maxScaleUpRate * ready).rounded(.up)
        let maxScaleDown = spec.reachable ? (ready / spec.maxScaleDownRate).rounded(.down) : 0

        var stablePods = GoMath.int32(min(max(rawStable, maxScaleDown), maxScaleUp))
        var panicPods = GoMath.int32(min(max(rawPanic, maxScaleDown), maxScaleUp))

        if spec.activationScale > 1 {
            if rawStable > 0 && spec.activationScale > stablePods { stablePods = spec.activationScale }
            if rawPanic > 0 && spec.activationScale > panicPods { panicPods = spec.activationScale }
        }

        // The panic test uses the unclamped panic count.
        let overThreshold = rawPanic / ready >= spec.panicThreshold
        if overThreshold {
            panicTime = now  // enter, or refresh the hold
        } else if let since = panicTime,
                  since.adding(nanoseconds: Int64(spec.stableWindowSeconds) * 1_000_000_000) < now {
            panicTime = nil
            maxPanicPods = 0
        }

        var desired = stablePods
        if panicTime != nil {
            desired = max(desired, panicPods)
            if desired > maxPanicPods { maxPanicPods = desired }
            desired = maxPanicPods
        }

        var undelayed: Int32?
        if spec.reachable, delayWindow != nil {
            delayWindow!.record(desired, at: now)
            let delayed = delayWindow!.current
            if delayed != desired {
                undelayed = desired
                desired = delayed
            }
        }

        // Excess burst capacity comes from the panic value on purpose: the activator
        // hand-off should react to bursts, not to the smoothed load.
        let ebc: Double
        switch spec.targetBurstCapacity {
        case 0: ebc = 0
        case let tbc where tbc > 0:
            ebc = (Double(originalReady) * spec.totalValue - tbc - observation.panic).rounded(.down)
        default: ebc = -1
        }

        return ScaleResult(
            desiredPodCount: desired,
            excessBurstCapacity: GoMath.int32(ebc),
            isValid: true,
            invalidReason: nil,
            details: .init(
                readyPods: originalReady,
                observation: observation,
                rawStablePods: rawStable,
                rawPanicPods: rawPanic,
                maxScaleUp: maxScaleUp,
                maxScaleDown: maxScaleDown,
                stablePods: stablePods,
                panicPods: panicPods,
                inPanic: panicTime != nil,
                undelayedPods: undelayed
            )
        )
    }
}
