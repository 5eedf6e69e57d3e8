/// Everything that governs one revision under the KPA rules, resolved from the cluster
/// config, the revision's annotations and its containerConcurrency — what Knative spreads
/// over `MakeDecider`, `MakeMetric`, `ResolveMetricTarget` and `pa.ScaleBounds`.
public struct KPAPolicy: Sendable, Equatable {
    /// The decider's settings.
    public var decider: DeciderSpec
    /// Panic window length in seconds (whole seconds, at least 1).
    public var panicWindowSeconds: Int
    /// How the windows average.
    public var aggregationAlgorithm: AggregationAlgorithm
    /// Replica bounds and scale-to-zero settings, applied outside the decider.
    public var scaling: ScaleToZeroSettings

    /// Resolves a policy.
    ///
    /// - Parameters:
    ///   - containerConcurrency: the revision's hard concurrency limit per pod (0 = none, ≤ 1000).
    ///   - reachable: whether any route sends traffic to the revision.
    public init(
        config: AutoscalerConfig = AutoscalerConfig(),
        annotations: RevisionAnnotations = RevisionAnnotations(),
        containerConcurrency: Int = 0,
        reachable: Bool = true
    ) throws(ConfigurationError) {
        guard (0...1000).contains(containerConcurrency) else {
            throw ConfigurationError(key: "containerConcurrency", value: "\(containerConcurrency)", expected: "a whole number between 0 (no limit) and 1000")
        }
        let metric = annotations.metric ?? .concurrency
        let (target, total) = Self.resolveTarget(
            metric: metric, config: config, annotations: annotations, containerConcurrency: containerConcurrency)

        var spec = DeciderSpec()
        spec.metric = metric
        spec.targetValue = target
        spec.totalValue = total
        spec.maxScaleUpRate = config.maxScaleUpRate
        spec.maxScaleDownRate = config.maxScaleDownRate
        spec.targetBurstCapacity = annotations.targetBurstCapacity ?? config.targetBurstCapacity
        spec.panicThreshold = (annotations.panicThresholdPercentage ?? config.panicThresholdPercentage) / 100
        spec.stableWindowSeconds = annotations.stableWindowSeconds ?? config.stableWindowSeconds
        spec.scaleDownDelaySeconds = annotations.scaleDownDelaySeconds ?? config.scaleDownDelaySeconds
        spec.initialScale = Self.initialScale(config: config, annotations: annotations)
        spec.reachable = reachable
        spec.activationScale = annotations.activationScale ?? 1
        decider = spec

        panicWindowSeconds = Self.panicWindow(
            stableWindowSeconds: spec.stableWindowSeconds,
            percentage: annotations.panicWindowPercentage ?? config.panicWindowPercentage)
        aggregationAlgorithm = annotations.aggregationAlgorithm ?? .linear

        let maxScale = annotations.maxScale ?? config.maxScale
        if config.maxScaleLimit > 0 && (maxScale == 0 || maxScale > config.maxScaleLimit) {
            throw ConfigurationError(key: "max-scale", value: "\(maxScale)", expected: "between 1 and max-scale-limit (\(config.maxScaleLimit))")
        }
        scaling = ScaleToZeroSettings(
            enableScaleToZero: config.enableScaleToZero,
            minScale: annotations.minScale ?? config.minScale,
            maxScale: maxScale,
            initialScale: spec.initialScale,
            reachable: reachable,
            stableWindowSeconds: Double(spec.stableWindowSeconds),
            gracePeriodSeconds: config.scaleToZeroGracePeriodSeconds,
            podRetentionSeconds: annotations.scaleToZeroPodRetentionPeriodSeconds ?? config.scaleToZeroPodRetentionPeriodSeconds,
            targetBurstCapacity: spec.targetBurstCapacity
        )
    }

    /// Knative's `ResolveMetricTarget`: returns (target, total) per pod. For concurrency the
    /// total is containerConcurrency, or the default when it is 0; a `target` annotation
    /// replaces it, capped by containerConcurrency. The target is total × utilisation, at
    /// least 0.01.
    static func resolveTarget(
        metric: ScalingMetric, config: AutoscalerConfig, annotations: RevisionAnnotations, containerConcurrency: Int
    ) -> (target: Double, total: Double) {
        var total: Double
        var utilization: Double
        switch metric {
        case .rps:
            total = config.rpsTargetDefault
            utilization = config.rpsTargetUtilization
        case .concurrency:
            total = containerConcurrency == 0 ? config.containerConcurrencyTargetDefault : Double(containerConcurrency)
            utilization = config.containerConcurrencyTargetFraction
        }
        if let annotated = annotations.target {
            total = annotated
            if metric == .concurrency && containerConcurrency != 0 {
                total = min(annotated, Double(containerConcurrency))
            }
        }
        if let u = annotations.targetUtilization { utilization = u }
        return (max(0.01, total * utilization), total)
    }

    /// Knative's `GetInitialScale`: the annotation wins, but 0 only when allowed.
    static func initialScale(config: AutoscalerConfig, annotations: RevisionAnnotations) -> Int32 {
        guard let v = annotations.initialScale, v != 0 || config.allowZeroInitialScale else { return config.initialScale }
        return v
    }

    /// The panic window: stable × percentage ÷ 100, rounded to the nearest second (halves
    /// away from zero, like Go's `Duration.Round`), at least 1 s (`MakeMetric`).
    public static func panicWindow(stableWindowSeconds: Int, percentage: Double) -> Int {
        let ns = Int64(Double(Int64(stableWindowSeconds) * 1_000_000_000) * percentage / 100)
        let remainder = ns % 1_000_000_000
        let rounded = remainder * 2 < 1_000_000_000 ? ns - remainder : ns - remainder + 1_000_000_000
        return max(1, Int(rounded / 1_000_000_000))
    }

    /// Fresh windows for this policy. Without pod scraping (target burst capacity −1) an
    /// empty window reads as 0, because the activator reports all load.
    public func makeMetricCollection() -> MetricCollection {
        MetricCollection(
            stableWindowSeconds: decider.stableWindowSeconds,
            panicWindowSeconds: panicWindowSeconds,
            algorithm: aggregationAlgorithm,
            scrapesPods: decider.targetBurstCapacity != -1
        )
    }
}
