import Scaling

/// Finds rules that are legal but likely wrong. Lint runs after parsing; errors (which
/// reject a file) come from the parser and `RuleSet`.
public struct RuleLinter: Sendable {
    /// A likely mistake, at the place it was written.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public var location: SourceLocation
        public var rule: String
        public var message: String
        public var description: String { "\(location): warning: rule \"\(rule)\": \(message)" }
    }

    public init() {}

    /// Warnings for every rule of `rules`.
    public func lint(_ rules: RuleSet) -> [Warning] {
        var warnings: [Warning] = []
        for rule in rules.rules { warnings += lint(rule) }
        warnings += overlaps(rules)
        return warnings
    }

    func lint(_ rule: Rule) -> [Warning] {
        var out: [Warning] = []
        let p = rule.policy
        func warn(_ key: String?, _ message: String) {
            out.append(Warning(location: key.flatMap { p.locations[$0] } ?? rule.location, rule: rule.name, message: message))
        }
        let window = p.windowSeconds ?? 60
        let percentage = p.panicWindowPercentage ?? 10

        // Panic windows longer than their stable window average over more than they react to.
        for m in p.metrics {
            let w = m.windowSeconds ?? window
            let panic = m.panicWindowSeconds ?? KPAPolicy.panicWindow(stableWindowSeconds: w, percentage: percentage)
            if panic > w {
                out.append(Warning(location: m.location, rule: rule.name,
                                   message: "metric \(m.signal.rawValue): panic window \(panic)s is longer than its stable window \(w)s; panic would react slower than the stable average"))
            }
        }

        // Waiting less than a cold start before shrinking invites flapping.
        if let cold = p.coldStartSeconds, cold > 0 {
            if let delay = p.scaleDownDelaySeconds, Double(delay) < cold {
                warn("scaleDownDelay", "scaleDownDelay \(delay)s is shorter than the cold start \(DurationText.format(seconds: cold)); a pod removed now takes longer than that to come back")
            }
            let grace = p.scaleToZeroGraceSeconds ?? 30
            if p.minReplicas ?? 0 == 0, p.scaleToZeroEnabled ?? true, grace < cold {
                warn(p.scaleToZeroGraceSeconds == nil ? "coldStart" : "scaleToZero.gracePeriod",
                     "scale-to-zero grace period \(DurationText.format(seconds: grace)) is shorter than the cold start \(DurationText.format(seconds: cold)); a target at zero answers its next request only after the cold start")
            }
        }

        // Scale to zero needs something that reports load while no pod exists.
        if p.minReplicas ?? 0 == 0, p.scaleToZeroEnabled ?? true, rule.source.push != true {
            warn("minReplicas", "minReplicas is 0 but no push source (source.push: true) reports load while the target has no pods; once at zero it cannot wake up")
        }

        // Signals the runtime does not expose, and renamed metric names.
        if let runtime = rule.source.runtime {
            for m in p.metrics where rule.source.metricNames[m.signal] == nil && RuntimeCatalog.metricName(m.signal, runtime: runtime) == nil {
                out.append(Warning(location: m.location, rule: rule.name,
                                   message: "\(runtime.rawValue) does not expose \(m.signal.rawValue); this metric will always be missing (set source.metricNames.\(m.signal.rawValue) or choose another signal)"))
            }
        }
        // A ceiling guard with no reading holds every scale-down: a KV-cache guard on a runtime without KV metrics
        // would keep the target at its peak for good. (GPU memory comes from node exporters found at run time, which
        // lint cannot see; the control loop reports that case instead.)
        if let runtime = rule.source.runtime, p.kvCacheCeiling != nil, rule.source.metricNames[.kvCacheUtilization] == nil,
           RuntimeCatalog.metricName(.kvCacheUtilization, runtime: runtime) == nil {
            warn("guards.kvCacheCeiling", "guards.kvCacheCeiling: \(runtime.rawValue) reports no KV-cache use, so the guard never has a reading and holds every scale-down; set source.metricNames.kv-cache-utilization or remove the guard")
        }
        for (signal, name) in rule.source.metricNames.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let renamed = RuntimeCatalog.renamed[name] {
                out.append(Warning(location: rule.source.metricNameLocations[signal] ?? rule.location, rule: rule.name,
                                   message: "metric \(name) was \(renamed.note); use \(renamed.replacement)"))
            }
        }

        // A per-pod target one pod cannot reach never lets the target scale up on that metric.
        if let cc = p.containerConcurrency, cc > 0 {
            for m in p.metrics where (m.signal == .concurrency || m.signal == .running) && m.target > Double(cc) {
                out.append(Warning(location: m.location, rule: rule.name,
                                   message: "target \(m.target) \(m.signal.unit) per pod is above containerConcurrency \(cc); one pod can never reach it"))
            }
        }
        for m in p.metrics where !m.signal.isAdditive && m.target >= 1 {
            out.append(Warning(location: m.location, rule: rule.name,
                               message: "target \(m.target) for \(m.signal.rawValue) means full use; pods never report more, so this metric never asks for more pods"))
        }
        if let kv = p.kvCacheCeiling, let m = p.metrics.first(where: { $0.signal == .kvCacheUtilization }), m.target > kv {
            out.append(Warning(location: m.location, rule: rule.name,
                               message: "kv-cache-utilization target \(m.target) is above guards.kvCacheCeiling \(kv); the guard will hold scale-downs the metric asks for"))
        }
        if p.objective != nil {
            if !p.metrics.isEmpty {
                warn("metrics", "policy.metrics are not used: policy.objective sizes the target; remove one of them")
            }
            if let runtime = rule.source.runtime, RuntimeCatalog.metricName(.promptTokensPerSecond, runtime: runtime) == nil {
                warn("objective", "\(runtime.rawValue) does not report prompt tokens processed; the objective learns no capacity and holds the replicas it has (use vllm, sglang or tgi)")
            }
        }
        return out
    }

    /// Rules of different specificity that can match the same target: legal (the more
    /// specific one owns it) but worth knowing.
    func overlaps(_ set: RuleSet) -> [Warning] {
        var out: [Warning] = []
        for (i, a) in set.rules.enumerated() {
            for b in set.rules[(i + 1)...] where a.match.specificity != b.match.specificity && a.match.canOverlap(b.match) {
                let (owner, other) = a.match.specificity > b.match.specificity ? (a, b) : (b, a)
                // A catch-all rule (no criteria) is a deliberate default beneath the others.
                if other.match == Rule.Match() { continue }
                out.append(Warning(location: other.location, rule: other.name,
                                   message: "rule \"\(owner.name)\" (\(owner.location)) can own the same targets; where both match, \"\(owner.name)\" wins because it is more specific"))
            }
        }
        return out
    }
}
