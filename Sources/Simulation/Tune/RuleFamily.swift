import Rules

/// A rule from the rule files with its per-pod targets scaled together × its scale-down
/// delay; everything else (match, source, guards, windows) as written. Utilisation targets
/// (fractions of capacity) are kept: scaling them would pass full use; concurrency and
/// running targets stop at the rule's containerConcurrency.
public struct RuleFamily: TuneFamily {
    /// The values tried; every combination, factors outermost.
    public struct Grid: Sendable {
        /// Multiples of each of the rule's additive targets (1 is the rule as written).
        public var targetFactors: [Double] = [0.5, 0.7, 1, 1.4, 2]
        /// Seconds. The rule's own delay is added; delays shorter than the rule's `coldStart`
        /// are left out, since lint warns about them (a pod removed takes longer to return).
        public var scaleDownDelays: [Int] = [0, 60, 180, 300, 600]
        public init() {}
    }

    public var rule: Rule
    public var grid = Grid()
    public var name: String { rule.name }

    public init(rule: Rule, grid: Grid = Grid()) {
        self.rule = rule
        self.grid = grid
    }

    /// The delays tried, ascending.
    var delays: [Int] {
        var set = Set(grid.scaleDownDelays)
        if let own = rule.policy.scaleDownDelaySeconds { set.insert(own) }
        guard let cold = rule.policy.coldStartSeconds, cold > 0 else { return set.sorted() }
        let kept = set.filter { Double($0) >= cold }.sorted()
        return kept.isEmpty ? [Int(cold.rounded(.up))] : kept
    }

    public func variants(in context: TuneContext) throws(TuneError) -> [TuneVariant] {
        var out: [TuneVariant] = []
        for factor in grid.targetFactors {
            for delay in delays {
                let name = "\(rule.name)-x\(RuleVariants.label(factor))-d\(delay)"
                let comment = """
                    Rule \(rule.name) chosen by `inferscale tune` (\(context.profile.name)): its per-pod targets × \(RuleVariants.label(factor)), scale-down delay \(delay)s.
                    """
                let (tuned, file) = try RuleVariants.make(rule, name: name, comment: comment) { p in
                    for i in p.metrics.indices where p.metrics[i].signal.isAdditive {
                        var target = (p.metrics[i].target * factor * 1000).rounded() / 1000
                        // One pod never holds more than containerConcurrency requests (lint warns).
                        if let cc = p.containerConcurrency, cc > 0, [.concurrency, .running].contains(p.metrics[i].signal) {
                            target = min(target, Double(cc))
                        }
                        p.metrics[i].target = target
                    }
                    p.scaleDownDelaySeconds = delay
                }
                out.append(TuneVariant(family: self.name, name: name, parameters: [
                    TuneParameter("targetFactor", factor, unit: "×"),
                    TuneParameter("scaleDownDelay", Double(delay), unit: "s"),
                ], policy: .rule(tuned), ruleFile: file))
            }
        }
        return out
    }
}
