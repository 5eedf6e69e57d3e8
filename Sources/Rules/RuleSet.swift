/// All rules in force, from one or many files. Building one checks what no single file can:
/// unique names, and that no two rules of equal specificity can match the same target.
public struct RuleSet: Sendable, Equatable {
    /// The rules, in file order.
    public private(set) var rules: [Rule]

    /// No rules: every target gets its own settings and Knative's defaults.
    public static let empty = RuleSet(validated: [])

    private init(validated rules: [Rule]) { self.rules = rules }

    /// Validates rules from several files together.
    public init(_ rules: [Rule]) throws(RuleErrors) {
        var errors: [RuleError] = []
        var byName: [String: Rule] = [:]
        for rule in rules {
            if let first = byName[rule.name] {
                errors.append(Self.error(at: rule.location, "rule name \"\(rule.name)\" is already used at \(first.location); names must be unique"))
            } else {
                byName[rule.name] = rule
            }
        }
        for (i, a) in rules.enumerated() {
            for b in rules[(i + 1)...] where a.match.specificity == b.match.specificity && a.match.canOverlap(b.match) {
                errors.append(Self.error(at: b.location,
                    "rule \"\(b.name)\" and rule \"\(a.name)\" (\(a.location)) can match the same target with equal specificity; make one more specific (a name, more labels or a namespace)"))
            }
        }
        if !errors.isEmpty { throw RuleErrors(errors) }
        self.rules = rules
    }

    /// The Deployments rules name (`match.deployment`), to be discovered as targets; a rule without a namespace
    /// names one in `default`.
    public var namedDeployments: [(namespace: String, name: String)] {
        rules.compactMap { rule in rule.match.deployment.map { (rule.match.namespace ?? "default", $0) } }
    }

    /// The rule for `target`: the most specific rule that matches, or nil.
    public func rule(for target: TargetDescription) -> Rule? {
        rules.filter { $0.match.matches(target) }.max { $0.match.specificity < $1.match.specificity }
    }

    /// Every rule that matches `target`, most specific first.
    public func matchingRules(for target: TargetDescription) -> [Rule] {
        rules.filter { $0.match.matches(target) }.sorted { $0.match.specificity > $1.match.specificity }
    }

    private static func error(at l: SourceLocation, _ message: String) -> RuleError {
        RuleError(file: l.file, line: l.line, column: l.column, message: message)
    }
}
