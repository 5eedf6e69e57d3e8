/// The HPA-style baseline (`simulate`'s `hpa`): per-pod concurrency target × scale-down
/// stabilisation window. Not an inferscale rule: its cheapest variant is reported as the
/// HPA settings to use, and no rule file is written.
public struct HPAFamily: TuneFamily {
    /// The values tried; every combination, targets outermost.
    public struct Grid: Sendable {
        /// Multiples of the run's baseline per-pod concurrency target.
        public var targetFactors: [Double] = [0.5, 1, 1.5, 2, 3]
        /// `behavior.scaleDown.stabilizationWindowSeconds`, seconds; the HPA's default is 300.
        public var stabilisationWindows: [Int] = [0, 60, 180, 300, 600]
        public init() {}
    }

    public var grid = Grid()
    public var name: String { "hpa" }

    public init(grid: Grid = Grid()) { self.grid = grid }

    public func variants(in context: TuneContext) throws(TuneError) -> [TuneVariant] {
        var out: [TuneVariant] = []
        for factor in grid.targetFactors {
            let target = (context.baselineTarget * factor * 100).rounded() / 100
            for window in grid.stabilisationWindows {
                out.append(TuneVariant(family: name, name: "hpa-t\(RuleVariants.label(target))-s\(window)", parameters: [
                    TuneParameter("target", target, unit: "requests per pod"),
                    TuneParameter("stabilisationWindow", Double(window), unit: "s"),
                ], policy: .hpa, adjust: { c in
                    c.baselineConcurrencyTarget = target
                    c.hpaStabilisationSeconds = Double(window)
                }))
            }
        }
        return out
    }
}
