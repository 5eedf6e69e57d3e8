/// The cluster-wide autoscaler settings: every key of Knative's `config-autoscaler`
/// ConfigMap, with Knative's defaults and validation (`pkg/autoscaler/config/config.go`).
///
/// Durations are in seconds; percentages are as written (70 means 70 %), except
/// `containerConcurrencyTargetFraction`, which is a fraction.
public struct AutoscalerConfig: Sendable, Equatable {
    /// `pod-autoscaler-class`: the class a PodAutoscaler without the annotation gets; `kpa.autoscaling.knative.dev`
    /// (Knative's default) or `inferscale.dev` (every such PA is inferscale's under `run --knative`).
    public var podAutoscalerClass = "kpa.autoscaling.knative.dev"
    /// `enable-scale-to-zero`: whether a revision may go to 0 pods.
    public var enableScaleToZero = true
    /// `allow-zero-initial-scale`: whether `initial-scale` may be 0.
    public var allowZeroInitialScale = false
    /// `max-scale-up-rate`: a decision adds at most this multiple of the ready pods (> 1).
    public var maxScaleUpRate = 1000.0
    /// `max-scale-down-rate`: a decision keeps at least ready pods ÷ this (> 1).
    public var maxScaleDownRate = 2.0
    /// `container-concurrency-target-percentage` as a fraction in (0, 1]: 0.7 by default.
    public var containerConcurrencyTargetFraction = 0.7
    /// `container-concurrency-target-default`: concurrency per pod when containerConcurrency is 0.
    public var containerConcurrencyTargetDefault = 100.0
    /// `requests-per-second-target-default`: requests/s per pod for the rps metric (≥ 0.01).
    public var rpsTargetDefault = 200.0
    /// Utilisation applied to the rps target (Knative hard-codes 0.7; no key).
    public let rpsTargetUtilization = 0.7
    /// `target-burst-capacity`: requests to absorb without queueing; −1 = activator always in path.
    public var targetBurstCapacity = 211.0
    /// `panic-window-percentage`: panic window as a percentage of the stable window (1–100).
    public var panicWindowPercentage = 10.0
    /// `activator-capacity`: requests one activator can hold (≥ 1).
    public var activatorCapacity = 100.0
    /// `panic-threshold-percentage`: panic when the panic-window count reaches this % of ready pods.
    public var panicThresholdPercentage = 200.0
    /// `initial-scale`: pods a new revision starts with.
    public var initialScale: Int32 = 1
    /// `min-scale`: default lower bound of replicas (0 = none).
    public var minScale: Int32 = 0
    /// `max-scale`: default upper bound of replicas (0 = unbounded).
    public var maxScale: Int32 = 0
    /// `max-scale-limit`: the largest max-scale a revision may ask for (0 = no limit).
    public var maxScaleLimit: Int32 = 0
    /// `stable-window`, seconds (6 s – 1 h, whole seconds).
    public var stableWindowSeconds = 60
    /// `scale-down-delay`, seconds (≥ 0, whole seconds).
    public var scaleDownDelaySeconds = 0
    /// `scale-to-zero-grace-period`, seconds (> 0): how long the activator must have been in
    /// the path before the last pod goes.
    public var scaleToZeroGracePeriodSeconds = 30.0
    /// `scale-to-zero-pod-retention-period`, seconds (≥ 0): least time the last pod stays
    /// after the revision went inactive.
    public var scaleToZeroPodRetentionPeriodSeconds = 0.0

    /// Knative's defaults.
    public init() {}

    /// Every key this type accepts, in the order of `docs/scaling.md`.
    public static let keys: [String] = [
        "pod-autoscaler-class", "enable-scale-to-zero", "allow-zero-initial-scale", "max-scale-up-rate",
        "max-scale-down-rate", "container-concurrency-target-percentage", "container-concurrency-target-default",
        "requests-per-second-target-default", "target-burst-capacity", "panic-window-percentage",
        "activator-capacity", "panic-threshold-percentage", "initial-scale", "min-scale", "max-scale",
        "max-scale-limit", "stable-window", "scale-down-delay", "scale-to-zero-grace-period",
        "scale-to-zero-pod-retention-period",
    ]

    /// Reads a ConfigMap's data over the defaults and validates the result.
    /// An unknown key is an error (a typo must not silently fall back to a default).
    public init(values: [String: String]) throws(ConfigurationError) {
        self.init()
        for (key, raw) in values.sorted(by: { $0.key < $1.key }) {
            try set(key, raw)
        }
        try validate()
    }

    /// Sets one key from its text form, without cross-key validation (see `validate()`).
    public mutating func set(_ key: String, _ raw: String) throws(ConfigurationError) {
        func float() throws(ConfigurationError) -> Double {
            guard let v = GoValueParser.float(raw) else { throw ConfigurationError(key: key, value: raw, expected: "a number") }
            return v
        }
        func int() throws(ConfigurationError) -> Int32 {
            guard let v = GoValueParser.int32(raw) else { throw ConfigurationError(key: key, value: raw, expected: "a whole number") }
            return v
        }
        func bool() throws(ConfigurationError) -> Bool {
            guard let v = GoValueParser.bool(raw) else { throw ConfigurationError(key: key, value: raw, expected: "true or false") }
            return v
        }
        func seconds(wholeSeconds: Bool) throws(ConfigurationError) -> Double {
            guard let ns = GoValueParser.duration(raw) else {
                throw ConfigurationError(key: key, value: raw, expected: "a duration such as 30s, 1m30s or 2h")
            }
            if wholeSeconds && ns % 1_000_000_000 != 0 {
                throw ConfigurationError(key: key, value: raw, expected: "a duration in whole seconds")
            }
            return Double(ns) / 1e9
        }
        switch key {
        case "pod-autoscaler-class":
            let v = raw.trimmingSpaces
            guard v == "kpa.autoscaling.knative.dev" || v == RevisionAnnotations.inferscaleClass else {
                throw ConfigurationError(key: key, value: raw, expected: "kpa.autoscaling.knative.dev or \(RevisionAnnotations.inferscaleClass) (inferscale implements the KPA class, and reconciles PodAutoscalers of its own class)")
            }
            podAutoscalerClass = v
        case "enable-scale-to-zero": enableScaleToZero = try bool()
        case "allow-zero-initial-scale": allowZeroInitialScale = try bool()
        case "max-scale-up-rate": maxScaleUpRate = try float()
        case "max-scale-down-rate": maxScaleDownRate = try float()
        case "container-concurrency-target-percentage":
            // Values in (0, 1] are read as fractions, for compatibility with old configs.
            let v = try float()
            containerConcurrencyTargetFraction = v > 1 ? v / 100 : v
        case "container-concurrency-target-default": containerConcurrencyTargetDefault = try float()
        case "requests-per-second-target-default": rpsTargetDefault = try float()
        case "target-burst-capacity": targetBurstCapacity = try float()
        case "panic-window-percentage": panicWindowPercentage = try float()
        case "activator-capacity": activatorCapacity = try float()
        case "panic-threshold-percentage": panicThresholdPercentage = try float()
        case "initial-scale": initialScale = try int()
        case "min-scale": minScale = try int()
        case "max-scale": maxScale = try int()
        case "max-scale-limit": maxScaleLimit = try int()
        case "stable-window":
            let s = try seconds(wholeSeconds: true)
            guard s >= 6, s <= 3600 else { throw ConfigurationError(key: key, value: raw, expected: "a duration between 6s and 1h") }
            stableWindowSeconds = Int(s)
        case "scale-down-delay":
            let s = try seconds(wholeSeconds: true)
            guard s >= 0 else { throw ConfigurationError(key: key, value: raw, expected: "a duration of 0s or more") }
            scaleDownDelaySeconds = Int(s)
        case "scale-to-zero-grace-period": scaleToZeroGracePeriodSeconds = try seconds(wholeSeconds: false)
        case "scale-to-zero-pod-retention-period": scaleToZeroPodRetentionPeriodSeconds = try seconds(wholeSeconds: false)
        default:
            throw ConfigurationError(
                key: key, value: nil,
                expected: "unknown config-autoscaler key; known keys: \(Self.keys.joined(separator: ", "))"
            )
        }
    }

    /// Checks the ranges and the rules that tie keys together, as Knative does.
    public func validate() throws(ConfigurationError) {
        func fail(_ key: String, _ value: String, _ expected: String) -> ConfigurationError {
            ConfigurationError(key: key, value: value, expected: expected)
        }
        if scaleToZeroGracePeriodSeconds <= 0 {
            throw fail("scale-to-zero-grace-period", "\(scaleToZeroGracePeriodSeconds)s", "a positive duration")
        }
        if scaleToZeroPodRetentionPeriodSeconds < 0 {
            throw fail("scale-to-zero-pod-retention-period", "\(scaleToZeroPodRetentionPeriodSeconds)s", "a duration of 0s or more")
        }
        if targetBurstCapacity < 0 && targetBurstCapacity != -1 {
            throw fail("target-burst-capacity", "\(targetBurstCapacity)", "0 or more, or -1 for an activator always in the path")
        }
        if containerConcurrencyTargetFraction <= 0 || containerConcurrencyTargetFraction > 1 {
            throw fail("container-concurrency-target-percentage", "\(containerConcurrencyTargetFraction * 100)", "a percentage in (0, 100]")
        }
        if containerConcurrencyTargetFraction * containerConcurrencyTargetDefault < 0.01 {
            throw fail("container-concurrency-target-default", "\(containerConcurrencyTargetDefault)",
                       "a value whose product with container-concurrency-target-percentage is at least 0.01")
        }
        if rpsTargetDefault < 0.01 { throw fail("requests-per-second-target-default", "\(rpsTargetDefault)", "at least 0.01") }
        if activatorCapacity < 1 { throw fail("activator-capacity", "\(activatorCapacity)", "at least 1") }
        if maxScaleUpRate <= 1 { throw fail("max-scale-up-rate", "\(maxScaleUpRate)", "a number greater than 1") }
        if maxScaleDownRate <= 1 { throw fail("max-scale-down-rate", "\(maxScaleDownRate)", "a number greater than 1") }
        if panicWindowPercentage < 1 || panicWindowPercentage > 100 {
            throw fail("panic-window-percentage", "\(panicWindowPercentage)", "a percentage between 1 and 100")
        }
        if panicThresholdPercentage <= 0 {
            throw fail("panic-threshold-percentage", "\(panicThresholdPercentage)", "a positive percentage (200 = panic at twice the ready pods)")
        }
        if initialScale < 0 || (initialScale == 0 && !allowZeroInitialScale) {
            throw fail("initial-scale", "\(initialScale)", "at least 1 (or 0 when allow-zero-initial-scale is true)")
        }
        if maxScaleLimit < 0 { throw fail("max-scale-limit", "\(maxScaleLimit)", "0 (no limit) or more") }
        let leastMax: Int32 = maxScaleLimit > 0 ? 1 : 0
        if maxScale < leastMax || (maxScaleLimit > 0 && maxScale > maxScaleLimit) {
            throw fail("max-scale", "\(maxScale)",
                       maxScaleLimit > 0 ? "between 1 and max-scale-limit (\(maxScaleLimit))" : "0 (unbounded) or more")
        }
        if minScale < 0 { throw fail("min-scale", "\(minScale)", "0 or more") }
        if maxScale > 0 && minScale > maxScale {
            throw fail("min-scale", "\(minScale)", "at most max-scale (\(maxScale))")
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
