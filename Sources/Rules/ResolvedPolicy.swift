import Scaling

/// The policy one target runs under: the rule's settings over the target's own settings
/// (InferenceService fields and `autoscaling.knative.dev/` annotations) over Knative's defaults.
public struct ResolvedPolicy: Sendable, Equatable {
    /// The rule that applied, or nil for none.
    public var ruleName: String?
    /// The decision policy.
    public var spec: PolicySpec
    /// Bounds and scale-to-zero gating for the control loop.
    public var scaling: ScaleToZeroSettings
    /// Where metrics come from.
    public var source: Rule.Source
    /// Expected seconds from pod start to ready.
    public var coldStartSeconds: Double

    /// Resolves the policy of `target` under `rule` (nil: the target's own settings only).
    /// `config` holds the cluster-wide Knative settings.
    public static func resolve(rule: Rule?, target: TargetDescription, config: AutoscalerConfig = AutoscalerConfig()) throws(RuleErrors) -> ResolvedPolicy {
        let where_ = rule?.location ?? SourceLocation(file: target.key, line: 0, column: 0)
        func fail(_ message: String) -> RuleErrors {
            RuleErrors([RuleError(file: where_.file, line: where_.line, column: where_.column, message: message)])
        }
        // 1. The target's own settings, read as Knative would read them.
        var annotations = target.annotations
        if let metric = target.scaleMetric {
            guard metric == "concurrency" || metric == "rps" else {
                throw fail("\(target.key): InferenceService scaleMetric \(metric) is scaled by the HPA, not by inferscale; use concurrency or rps, or exclude the target")
            }
            annotations[RevisionAnnotations.prefix + "metric"] = annotations[RevisionAnnotations.prefix + "metric"] ?? metric
        }
        if let t = target.scaleTarget { annotations[RevisionAnnotations.prefix + "target"] = annotations[RevisionAnnotations.prefix + "target"] ?? "\(t)" }
        if let m = target.minReplicas { annotations[RevisionAnnotations.prefix + "min-scale"] = annotations[RevisionAnnotations.prefix + "min-scale"] ?? "\(m)" }
        if let m = target.maxReplicas { annotations[RevisionAnnotations.prefix + "max-scale"] = annotations[RevisionAnnotations.prefix + "max-scale"] ?? "\(m)" }
        let kpa: KPAPolicy
        do {
            let parsed = try RevisionAnnotations(objectAnnotations: annotations, allowZeroInitialScale: config.allowZeroInitialScale)
            kpa = try KPAPolicy(config: config, annotations: parsed,
                                containerConcurrency: rule?.policy.containerConcurrency ?? target.containerConcurrency ?? 0)
        } catch {
            throw fail("\(target.key): \(error)")
        }
        var spec = PolicySpec(kpa: kpa)
        var scaling = kpa.scaling
        let coldStart = rule?.policy.coldStartSeconds ?? 0
        guard let p = rule?.policy else {
            return ResolvedPolicy(ruleName: nil, spec: spec, scaling: scaling, source: Rule.Source(), coldStartSeconds: 0)
        }

        // 2. The rule's settings on top.
        if let v = p.maxScaleUpRate { spec.decider.maxScaleUpRate = v }
        if let v = p.maxScaleDownRate { spec.decider.maxScaleDownRate = v }
        if let v = p.panicThresholdPercentage { spec.decider.panicThreshold = v / 100 }
        if let v = p.scaleDownDelaySeconds { spec.decider.scaleDownDelaySeconds = v }
        if let v = p.activationScale { spec.decider.activationScale = Int32(v) }
        if let v = p.targetBurstCapacity { spec.decider.targetBurstCapacity = v }
        if let v = p.initialReplicas { spec.decider.initialScale = Int32(v) }
        if let v = p.windowSeconds { spec.decider.stableWindowSeconds = v }
        let window = spec.decider.stableWindowSeconds
        let percentage = p.panicWindowPercentage ?? config.panicWindowPercentage
        let defaultPanic = p.windowSeconds != nil || p.panicWindowPercentage != nil
            ? KPAPolicy.panicWindow(stableWindowSeconds: window, percentage: percentage) : kpa.panicWindowSeconds
        let aggregation = p.aggregation ?? kpa.aggregationAlgorithm
        if p.metrics.isEmpty {
            spec.metrics = spec.metrics.map {
                var m = $0
                m.stableWindowSeconds = window
                m.panicWindowSeconds = defaultPanic
                m.aggregation = aggregation
                return m
            }
        } else {
            spec.metrics = p.metrics.map { m in
                let w = m.windowSeconds ?? window
                return PolicySpec.Metric(
                    signal: m.signal, target: m.target, stableWindowSeconds: w,
                    panicWindowSeconds: m.panicWindowSeconds ?? (m.windowSeconds == nil ? defaultPanic : KPAPolicy.panicWindow(stableWindowSeconds: w, percentage: percentage)),
                    aggregation: m.aggregation ?? aggregation, panicOnly: m.panicOnly)
            }
        }
        if let o = p.objective {
            // The objective sizes the target; per-signal targets would only be ignored.
            spec.metrics = []
            spec.objective = ObjectiveSpec(ttftSeconds: o.ttftSeconds, quantile: o.quantile ?? 0.95, tpotSeconds: o.tpotSeconds,
                                           historySeconds: o.historySeconds ?? 600, coldStartPriorSeconds: p.coldStartSeconds ?? 120)
        }
        if let v = p.minReplicas { spec.minReplicas = Int32(clamping: v) }
        if let v = p.maxReplicas { spec.maxReplicas = Int32(clamping: v) }
        if spec.maxReplicas != 0 && spec.maxReplicas < spec.minReplicas {
            throw fail("\(target.key): maxReplicas \(spec.maxReplicas) is below minReplicas \(spec.minReplicas)")
        }
        spec.guards = PolicySpec.Guards(coldStartSeconds: coldStart, holdWhilePodsStart: p.holdWhilePodsStart ?? false,
                                        kvCacheCeiling: p.kvCacheCeiling, gpuMemoryCeiling: p.gpuMemoryCeiling)
        scaling.minScale = spec.minReplicas
        scaling.maxScale = spec.maxReplicas
        scaling.initialScale = spec.decider.initialScale
        scaling.stableWindowSeconds = Double(window)
        scaling.targetBurstCapacity = spec.decider.targetBurstCapacity
        if let v = p.scaleToZeroEnabled { scaling.enableScaleToZero = v }
        if let v = p.scaleToZeroGraceSeconds { scaling.gracePeriodSeconds = v }
        if let v = p.scaleToZeroRetentionSeconds { scaling.podRetentionSeconds = v }
        return ResolvedPolicy(ruleName: rule?.name, spec: spec, scaling: scaling, source: rule?.source ?? Rule.Source(), coldStartSeconds: coldStart)
    }
}
