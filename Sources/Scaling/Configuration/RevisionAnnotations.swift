/// Per-revision overrides: the `autoscaling.knative.dev/` annotations Knative accepts, with
/// its validation (`pkg/apis/autoscaling/annotation_validation.go`). Unset values fall back
/// to `AutoscalerConfig`. Durations are in seconds.
public struct RevisionAnnotations: Sendable, Equatable {
    /// The annotation prefix; keys may be given with or without it.
    public static let prefix = "autoscaling.knative.dev/"
    /// inferscale's own PodAutoscaler class (`autoscaling.knative.dev/class: inferscale.dev`): outside
    /// `*.knative.dev`, which Knative's validation reserves for `kpa` and `hpa`, so Knative's KPA ignores the PA and
    /// `inferscale run --knative` reconciles it.
    public static let inferscaleClass = "inferscale.dev"

    /// `class`: only the KPA class is implemented.
    public var podAutoscalerClass: String?
    /// `metric`: concurrency or rps.
    public var metric: ScalingMetric?
    /// `target`: per-pod target before utilisation (≥ 0.01).
    public var target: Double?
    /// `target-utilization-percentage` as a fraction (annotation 1–100 → 0.01–1).
    public var targetUtilization: Double?
    /// `window`: stable window, seconds (6 s – 1 h, whole seconds).
    public var stableWindowSeconds: Int?
    /// `panic-window-percentage` (1–100).
    public var panicWindowPercentage: Double?
    /// `panic-threshold-percentage` (110–1000).
    public var panicThresholdPercentage: Double?
    /// `target-burst-capacity` (≥ 0, or −1).
    public var targetBurstCapacity: Double?
    /// `min-scale` (≥ 0).
    public var minScale: Int32?
    /// `max-scale` (≥ 0; 0 = unbounded).
    public var maxScale: Int32?
    /// `initial-scale` (≥ 0; 0 needs allow-zero-initial-scale).
    public var initialScale: Int32?
    /// `scale-down-delay`, seconds (0 – 1 h, whole seconds).
    public var scaleDownDelaySeconds: Int?
    /// `scale-to-zero-pod-retention-period`, seconds (0 – 1 h).
    public var scaleToZeroPodRetentionPeriodSeconds: Double?
    /// `activation-scale` (≥ 2, between min-scale and max-scale).
    public var activationScale: Int32?
    /// `metric-aggregation-algorithm`: linear or weighted-exponential.
    public var aggregationAlgorithm: AggregationAlgorithm?

    /// No overrides.
    public init() {}

    /// Each accepted key (without prefix) and its older camelCase spelling, if any.
    public static let keys: [(key: String, legacy: String?)] = [
        ("class", nil), ("metric", nil), ("target", nil),
        ("target-utilization-percentage", "targetUtilizationPercentage"), ("window", nil),
        ("panic-window-percentage", "panicWindowPercentage"),
        ("panic-threshold-percentage", "panicThresholdPercentage"),
        ("target-burst-capacity", "targetBurstCapacity"), ("min-scale", "minScale"), ("max-scale", "maxScale"),
        ("initial-scale", "initialScale"), ("scale-down-delay", "scaleDownDelay"),
        ("scale-to-zero-pod-retention-period", "scaleToZeroPodRetentionPeriod"),
        ("activation-scale", nil), ("metric-aggregation-algorithm", "metricAggregationAlgorithm"),
    ]

    /// Reads the Knative autoscaling settings among an object's annotations. Only keys under
    /// `autoscaling.knative.dev/` are Knative's; every other annotation belongs to someone else
    /// (`kubectl.kubernetes.io/last-applied-configuration`, KServe's `serving.kserve.io/*`, users'
    /// own) and is ignored here. An unknown key inside the prefix is still an error, as Knative's
    /// validation makes it (`pkg/apis/autoscaling/annotation_validation.go`).
    public init(objectAnnotations: [String: String], allowZeroInitialScale: Bool = false) throws(ConfigurationError) {
        try self.init(objectAnnotations.filter { $0.key.hasPrefix(Self.prefix) }, allowZeroInitialScale: allowZeroInitialScale)
    }

    /// Parses annotations (keys with or without the `autoscaling.knative.dev/` prefix, in
    /// the current or the older camelCase spelling) and validates each value and the rules
    /// between them. `allowZeroInitialScale` comes from the cluster config.
    public init(_ values: [String: String], allowZeroInitialScale: Bool = false) throws(ConfigurationError) {
        self.init()
        var seen: [String: String] = [:]
        for (rawKey, raw) in values.sorted(by: { $0.key < $1.key }) {
            let bare = rawKey.hasPrefix(Self.prefix) ? String(rawKey.dropFirst(Self.prefix.count)) : rawKey
            guard let entry = Self.keys.first(where: { $0.key == bare || $0.legacy == bare }) else {
                throw ConfigurationError(
                    key: rawKey, value: nil,
                    expected: "unknown autoscaling annotation; known keys: \(Self.keys.map(\.key).joined(separator: ", "))"
                )
            }
            if let other = seen[entry.key] {
                throw ConfigurationError(key: rawKey, value: raw, expected: "only one of \(entry.key) and its older spelling \(other)")
            }
            seen[entry.key] = rawKey
            try set(entry.key, raw, as: rawKey, allowZeroInitialScale: allowZeroInitialScale)
        }
        if let max = maxScale, max != 0, let min = minScale, max < min {
            throw ConfigurationError(key: "max-scale", value: "\(max)", expected: "at least min-scale (\(min)), or 0 for unbounded")
        }
        if let activation = activationScale {
            if let min = minScale, activation < min {
                throw ConfigurationError(key: "activation-scale", value: "\(activation)", expected: "at least min-scale (\(min))")
            }
            if let max = maxScale, max != 0, activation > max {
                throw ConfigurationError(key: "activation-scale", value: "\(activation)", expected: "at most max-scale (\(max))")
            }
        }
    }

    private mutating func set(_ key: String, _ raw: String, as written: String, allowZeroInitialScale: Bool) throws(ConfigurationError) {
        func fail(_ expected: String) -> ConfigurationError { ConfigurationError(key: written, value: raw, expected: expected) }
        func float(_ expected: String, _ ok: (Double) -> Bool) throws(ConfigurationError) -> Double {
            guard let v = GoValueParser.float(raw), ok(v) else { throw fail(expected) }
            return v
        }
        func int(_ expected: String, _ ok: (Int32) -> Bool) throws(ConfigurationError) -> Int32 {
            guard let v = GoValueParser.int32(raw), ok(v) else { throw fail(expected) }
            return v
        }
        func seconds(_ expected: String, whole: Bool, _ ok: (Double) -> Bool) throws(ConfigurationError) -> Double {
            guard let ns = GoValueParser.duration(raw), !whole || ns % 1_000_000_000 == 0, ok(Double(ns) / 1e9) else {
                throw fail(expected)
            }
            return Double(ns) / 1e9
        }
        switch key {
        case "class":
            guard raw == "kpa.autoscaling.knative.dev" || raw == Self.inferscaleClass else {
                throw fail("kpa.autoscaling.knative.dev or \(Self.inferscaleClass) (inferscale implements the KPA class, and reconciles PodAutoscalers of its own class)")
            }
            podAutoscalerClass = raw
        case "metric":
            guard let m = ScalingMetric(rawValue: raw) else { throw fail("concurrency or rps") }
            metric = m
        case "target": target = try float("a number of at least 0.01") { $0 >= 0.01 }
        case "target-utilization-percentage":
            targetUtilization = try float("a percentage between 1 and 100") { $0 >= 1 && $0 <= 100 } / 100
        case "window":
            stableWindowSeconds = Int(try seconds("a duration between 6s and 1h in whole seconds", whole: true) { $0 >= 6 && $0 <= 3600 })
        case "panic-window-percentage": panicWindowPercentage = try float("a percentage between 1 and 100") { $0 >= 1 && $0 <= 100 }
        case "panic-threshold-percentage":
            panicThresholdPercentage = try float("a percentage between 110 and 1000") { $0 >= 110 && $0 <= 1000 }
        case "target-burst-capacity":
            targetBurstCapacity = try float("0 or more, or -1 for an activator always in the path") { $0 >= 0 || $0 == -1 }
        case "min-scale": minScale = try int("a whole number of 0 or more") { $0 >= 0 }
        case "max-scale": maxScale = try int("a whole number of 0 (unbounded) or more") { $0 >= 0 }
        case "initial-scale":
            initialScale = try int(allowZeroInitialScale ? "a whole number of 0 or more" : "a whole number of 1 or more (0 needs allow-zero-initial-scale)") {
                $0 > 0 || ($0 == 0 && allowZeroInitialScale)
            }
        case "scale-down-delay":
            scaleDownDelaySeconds = Int(try seconds("a duration between 0s and 1h in whole seconds", whole: true) { $0 >= 0 && $0 <= 3600 })
        case "scale-to-zero-pod-retention-period":
            scaleToZeroPodRetentionPeriodSeconds = try seconds("a duration between 0s and 1h", whole: false) { $0 >= 0 && $0 <= 3600 }
        case "activation-scale": activationScale = try int("a whole number of 2 or more") { $0 >= 2 }
        case "metric-aggregation-algorithm":
            switch raw {
            case "linear": aggregationAlgorithm = .linear
            case "weighted-exponential", "weightedExponential": aggregationAlgorithm = .weightedExponential
            default: throw fail("linear or weighted-exponential")
            }
        default:
            throw fail("a known annotation")
        }
    }
}
