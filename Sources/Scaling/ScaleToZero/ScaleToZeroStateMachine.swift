/// Turns the decider's recommendation into the replica count to apply: min/max bounds,
/// the initial-scale floor, and Knative's scale-to-zero gating (`kpa/scaler.go`,
/// `handleScaleToZero`; `kpa/kpa.go`, `computeActiveCondition`).
///
/// The decider may say 0 after a stable window of no load; the last pod only goes when the
/// revision has been active for a stable window, has then been marked inactive, the
/// activator is in the request path (so new requests are buffered, not dropped), the pod
/// retention period has passed, and the activator has been in the path for the grace period.
public struct ScaleToZeroStateMachine: Sendable {
    /// The revision's activity, as Knative's PodAutoscaler `Active` condition.
    public enum Phase: Sendable, Equatable {
        /// Pods are being brought up for buffered requests (Active=Unknown).
        case activating(since: Timestamp)
        /// Enough pods are ready (Active=True).
        case active(since: Timestamp)
        /// No traffic (Active=False).
        case inactive(since: Timestamp)
    }

    /// What the driver should do after one reconcile.
    public struct Action: Sendable, Equatable {
        /// Replicas to set on the scale subresource, or nil to leave them.
        public var replicas: Int32?
        /// The scale reported as wanted, applied or not (Knative's `want`: 0 while a revision is marked inactive
        /// before its last pod goes; −1 with no decision yet). What a PodAutoscaler's `desiredScale` shows.
        public var want: Int32 = -1
        /// Whether the activator should be in the request path (Knative's SKS Proxy mode).
        public var activatorInPath: Bool
        /// Reconcile again at this time even without a new decision (a timer ends then).
        public var recheckAt: Timestamp?
        /// Why, in a few words, for logs.
        public var reason: String
    }

    /// Bounds and timers; `update(settings:)` changes them.
    public private(set) var settings: ScaleToZeroSettings
    /// The current phase.
    public private(set) var phase: Phase
    /// Whether the initial scale has been reached once (Knative's ScaleTargetInitialized).
    public private(set) var initialized = false
    /// Since when the activator has been in the path; nil while pods serve directly.
    public private(set) var proxySince: Timestamp?

    /// A new revision at `now`: activating, with the activator in the path.
    public init(settings: ScaleToZeroSettings, now: Timestamp) {
        self.settings = settings
        phase = .activating(since: now)
        proxySince = now
    }

    /// New bounds and timers (a rule or `config-autoscaler` reload), in force from the next reconcile; the phase and
    /// its timestamps carry over, so a grace period already running is measured against the new length.
    public mutating func update(settings newSettings: ScaleToZeroSettings) {
        settings = newSettings
    }

    /// One reconcile.
    ///
    /// - Parameters:
    ///   - desired: the decider's latest valid recommendation, −1 when there is none yet.
    ///   - excessBurstCapacity: from the same decision (negative keeps the activator in path).
    ///   - readyPods: ready pods now.
    public mutating func reconcile(desired: Int32, excessBurstCapacity: Int32, readyPods: Int, now: Timestamp) -> Action {
        var recheck: Timestamp?
        var reason = "following the decider"
        var want = desired
        var apply = true

        if desired < 0, !isActivating {
            apply = false
            reason = "no metrics yet"
        } else {
            var minimum = settings.effectiveMinScale
            if settings.initialScale > 1, !initialized, settings.reachable {
                minimum = max(minimum, settings.initialScale)
            }
            let bounded = Self.applyBounds(min: minimum, max: settings.maxScale, desired)
            if bounded != want { reason = "bounded to [\(minimum), \(settings.maxScale == 0 ? "∞" : "\(settings.maxScale)")]" }
            want = bounded
            if want == 0 {
                (want, apply, recheck, reason) = scaleToZero(now: now)
            }
        }

        // The activator leaves the path only with pods wanted and spare burst capacity.
        let serve = want > 0 && excessBurstCapacity >= 0
        if serve {
            proxySince = nil
        } else if proxySince == nil {
            proxySince = now
        }
        updatePhase(want: want, readyPods: readyPods, now: now)
        return Action(replicas: apply && want >= 0 ? want : nil, want: want, activatorInPath: !serve, recheckAt: recheck, reason: reason)
    }

    private var isActivating: Bool {
        if case .activating = phase { return true }
        return false
    }

    static func applyBounds(min: Int32, max: Int32, _ x: Int32) -> Int32 {
        if x < min { return min }
        if max != 0 && x > max { return max }
        return x
    }

    /// Knative's `handleScaleToZero` for a bounded recommendation of 0.
    private mutating func scaleToZero(now: Timestamp) -> (Int32, Bool, Timestamp?, String) {
        guard settings.enableScaleToZero else { return (1, true, nil, "scale to zero disabled") }
        switch phase {
        case .activating(let since):
            let deadline = since.adding(seconds: settings.activationTimeoutSeconds)
            if now >= deadline { return (0, true, nil, "activation timed out") }
            return (-1, false, deadline, "activating")
        case .active(let since):
            let activeFor = Double(now.nanoseconds - since.nanoseconds) / 1e9
            if activeFor >= settings.stableWindowSeconds {
                phase = .inactive(since: now)  // report 0 without applying it: mark inactive first
                return (0, false, nil, "marked inactive")
            }
            return (1, true, since.adding(seconds: settings.stableWindowSeconds), "holding 1 until active for a stable window")
        case .inactive(let since):
            let inactiveFor = Double(now.nanoseconds - since.nanoseconds) / 1e9
            if inactiveFor >= max(settings.gracePeriodSeconds, settings.podRetentionSeconds) {
                return (0, true, nil, "scale to zero")
            }
            if settings.podRetentionSeconds > 0 && inactiveFor < settings.podRetentionSeconds {
                return (0, false, since.adding(seconds: settings.podRetentionSeconds), "pod retention period")
            }
            let proxyFor = proxySince.map { Double(now.nanoseconds - $0.nanoseconds) / 1e9 } ?? 0
            if proxyFor >= settings.gracePeriodSeconds { return (0, true, nil, "scale to zero (activator in path for the grace period)") }
            return (0, false, now.adding(seconds: settings.gracePeriodSeconds - proxyFor), "waiting for the grace period")
        }
    }

    /// Knative's `computeActiveCondition`.
    private mutating func updatePhase(want: Int32, readyPods: Int, now: Timestamp) {
        var minReady = Int(max(1, settings.effectiveMinScale))
        if !initialized, settings.reachable { minReady = max(minReady, Int(settings.initialScale)) }
        if readyPods >= minReady { initialized = true }
        let inactive: Bool
        if case .inactive = phase { inactive = true } else { inactive = false }
        if want == 0 {
            if !inactive { phase = .inactive(since: now) }
        } else if readyPods < minReady {
            if want > 0 || !inactive {
                if !isActivating { phase = .activating(since: now) }
            }
        } else if want > 0 || !inactive {
            if case .active = phase {} else { phase = .active(since: now) }
        }
    }
}
