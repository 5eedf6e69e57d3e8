import Rules
import Scaling

/// Knative's KPA on concurrency, as a rule: per-pod target × scale-down delay × stable
/// window, every other setting Knative's default and at least one replica (KServe's
/// default). With the profile's target, no delay and a 60 s window it is `simulate`'s `kpa`.
/// The target is Knative's (`autoscaling.knative.dev/target`), which Knative scales by its
/// 70 % target utilisation; a rule's target is used as written, so the rule carries the product.
public struct KPAFamily: TuneFamily {
    /// The values tried; the variants are every combination, targets outermost.
    public struct Grid: Sendable {
        /// Multiples of the run's baseline per-pod concurrency target (4 for the 70 B profiles).
        public var targetFactors: [Double] = [0.5, 1, 1.5, 2, 3]
        /// Seconds; Knative's default is 0.
        public var scaleDownDelays: [Int] = [0, 60, 180, 300, 600]
        /// Stable windows, seconds (6 s – 1 h); Knative's default is 60.
        public var windows: [Int] = [30, 60, 120, 240]
        public init() {}
    }

    public var grid = Grid()
    public var name: String { "kpa" }

    public init(grid: Grid = Grid()) { self.grid = grid }

    public func variants(in context: TuneContext) throws(TuneError) -> [TuneVariant] {
        let base = try Self.template(context.profile)
        var out: [TuneVariant] = []
        for factor in grid.targetFactors {
            let target = (context.baselineTarget * factor * 100).rounded() / 100
            for delay in grid.scaleDownDelays {
                for window in grid.windows {
                    let name = "kpa-t\(RuleVariants.label(target))-d\(delay)-w\(window)"
                    let perPod = (target * Self.utilisation * 1_000_000).rounded() / 1_000_000
                    let comment = """
                        Knative's KPA on concurrency, chosen by `inferscale tune` (\(context.profile.name)): Knative target \(RuleVariants.label(target))
                        (\(RuleVariants.label(perPod)) per pod at Knative's 70 % utilisation), scale-down delay \(delay)s, stable window \(window)s.
                        Edit match to name your target.
                        """
                    let (rule, file) = try RuleVariants.make(base, name: name, comment: comment) { p in
                        p.metrics[0].target = perPod
                        p.scaleDownDelaySeconds = delay
                        p.windowSeconds = window
                    }
                    out.append(TuneVariant(family: self.name, name: name, parameters: [
                        TuneParameter("target", target, unit: "requests per pod"),
                        TuneParameter("scaleDownDelay", Double(delay), unit: "s"),
                        TuneParameter("window", Double(window), unit: "s"),
                    ], policy: .rule(rule), ruleFile: file))
                }
            }
        }
        return out
    }

    /// Knative's `container-concurrency-target-percentage` default, as a fraction.
    static let utilisation = AutoscalerConfig().containerConcurrencyTargetFraction

    /// The rule every variant starts from: concurrency from the queue-proxy, at least one replica.
    static func template(_ profile: ModelProfile) throws(TuneError) -> Rule {
        let runtime: String = if case .llm = profile.kind { "vllm" } else { "kserve" }
        let text = """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: kpa
                match:
                  labels:
                    app.kubernetes.io/name: "\(profile.name)"
                source:
                  runtime: \(runtime)
                  queueProxy: true
                policy:
                  metrics:
                    - signal: concurrency
                      target: \(RuleWriter.number(profile.concurrencyTarget))
                  minReplicas: 1

            """
        let rules: [Rule]
        do { rules = try RuleParser(file: "kpa.yaml").parse(text) } catch {
            throw TuneError("the kpa template does not parse: \(error.errors.map(\.description).joined(separator: "; "))")
        }
        guard let rule = rules.first else { throw TuneError("the kpa template holds no rule") }
        return rule
    }
}
