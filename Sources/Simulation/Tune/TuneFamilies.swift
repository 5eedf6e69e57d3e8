import Rules

/// The families `inferscale tune --family` knows, by name.
public enum TuneFamilies {
    /// The names that are not rules.
    public static let builtIn = ["kpa", "hpa"]

    /// The family called `name`: `kpa`, `hpa`, or a rule of `rules` (its targets and delays).
    /// New families are added here (the objective policy: `case "objective"`).
    public static func named(_ name: String, rules: RuleSet) throws(TuneError) -> any TuneFamily {
        switch name {
        case "kpa": return KPAFamily()
        case "hpa": return HPAFamily()
        default:
            guard let rule = rules.rules.first(where: { $0.name == name }) else {
                let known = builtIn + rules.rules.map(\.name)
                throw TuneError("unknown --family \(name); known: \(known.joined(separator: ", "))\(rules.rules.isEmpty ? " (no --rules given)" : "")")
            }
            return RuleFamily(rule: rule)
        }
    }
}
