import Rules

/// The objective policy's few knobs: the quantile it sizes for (stricter than the run's objective
/// buys headroom against forecast error) × the demand history it learns from. The objective itself
/// is always the run's (`--ttft-objective`), so every variant is judged by what it was told to meet.
public struct ObjectiveFamily: TuneFamily {
    /// The values tried; every combination, quantiles outermost.
    public struct Grid: Sendable {
        /// Quantiles the policy sizes for (`policy.objective.quantile`).
        public var sizingQuantiles: [Double] = [0.9, 0.95, 0.98, 0.99]
        /// Seconds of demand history (`policy.objective.history`; whole seconds, 1 min to 1 h).
        public var historySeconds: [Double] = [300, 600, 1200]
        public init() {}
    }

    /// The rule the variants start from: rules/'s `objective` rule, or the built-in one.
    public var rule: Rule
    public var grid = Grid()
    public var name: String { ObjectivePolicy.name }

    public init(rule: Rule, grid: Grid = Grid()) {
        self.rule = rule
        self.grid = grid
    }

    public func variants(in context: TuneContext) throws(TuneError) -> [TuneVariant] {
        var out: [TuneVariant] = []
        for quantile in grid.sizingQuantiles {
            for history in grid.historySeconds {
                let name = "\(ObjectivePolicy.name)-q\(RuleVariants.label(quantile))-h\(RuleVariants.label(history))"
                let comment = """
                    The objective policy chosen by `inferscale tune` (\(context.profile.name)): TTFT \(RuleVariants.label(context.ttftObjectiveSeconds))s, sized for quantile \(RuleVariants.label(quantile)), \(RuleVariants.label(history))s of demand history.
                    """
                let (tuned, file) = try RuleVariants.make(rule, name: name, comment: comment) { p in
                    var objective = p.objective ?? Rule.Objective(ttftSeconds: context.ttftObjectiveSeconds)
                    objective.ttftSeconds = context.ttftObjectiveSeconds
                    objective.quantile = quantile
                    objective.historySeconds = history
                    p.objective = objective
                    p.metrics = []
                }
                out.append(TuneVariant(family: self.name, name: name, parameters: [
                    TuneParameter("sizingQuantile", quantile, unit: ""),
                    TuneParameter("history", history, unit: "s"),
                ], policy: .rule(tuned), ruleFile: file))
            }
        }
        return out
    }
}
