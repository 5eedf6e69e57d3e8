import Rules

/// The families `inferscale tune --family` knows, by name.
public enum TuneFamilies {
    /// The families replayed when none is named.
    public static let builtIn = ["kpa", "hpa"]
    /// Every name that is not a rule's (`objective` and `fixed` only on request: the objective's
    /// variants learn online and take longest to replay; static counts are a reference, not a policy).
    public static let known = builtIn + [ObjectivePolicy.name, "fixed"]

    /// The family called `name`: `kpa`, `hpa`, `fixed` (static replica counts), `objective` (the
    /// rule of that name in `rules`, else the built-in one), or a rule of `rules` (its targets and delays).
    public static func named(_ name: String, rules: RuleSet) throws(TuneError) -> any TuneFamily {
        switch name {
        case "kpa": return KPAFamily()
        case "hpa": return HPAFamily()
        case "fixed": return FixedFamily()
        case ObjectivePolicy.name:
            let own = rules.rules.first { $0.name == ObjectivePolicy.name && $0.policy.objective != nil }
            return ObjectiveFamily(rule: own ?? ObjectivePolicy.rule(ttftSeconds: 2, quantile: 0.95))
        default:
            guard let rule = rules.rules.first(where: { $0.name == name }) else {
                let known = Self.known + rules.rules.map(\.name)
                throw TuneError("unknown --family \(name); known: \(known.joined(separator: ", "))\(rules.rules.isEmpty ? " (no --rules given)" : "")")
            }
            return RuleFamily(rule: rule)
        }
    }
}
