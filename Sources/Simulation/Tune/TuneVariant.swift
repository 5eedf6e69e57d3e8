/// One policy with one choice of parameters, as the tuner replays it.
public struct TuneVariant: Sendable {
    /// The family it belongs to.
    public var family: String
    /// Unique within the run; names the variant in tables, JSON and charts.
    public var name: String
    /// The parameters that set it apart, in the family's order.
    public var parameters: [TuneParameter]
    /// What is replayed.
    public var policy: PolicyChoice
    /// Settings of the replay the variant changes beyond its policy (the hpa baseline's
    /// target and stabilisation window); nil changes nothing.
    public var adjust: (@Sendable (inout SimulationConfiguration) -> Void)?
    /// For a rule, the rule file that reproduces the variant exactly: the replayed rule was
    /// read back from this text. nil for policies that are not inferscale rules.
    public var ruleFile: String?

    public init(family: String, name: String, parameters: [TuneParameter], policy: PolicyChoice,
                adjust: (@Sendable (inout SimulationConfiguration) -> Void)? = nil, ruleFile: String? = nil) {
        self.family = family
        self.name = name
        self.parameters = parameters
        self.policy = policy
        self.adjust = adjust
        self.ruleFile = ruleFile
    }
}

/// One named parameter of a variant.
public struct TuneParameter: Sendable, Equatable, Codable {
    /// `target`, `scaleDownDelay`, `window`, `targetFactor`, `stabilisationWindow`.
    public var name: String
    public var value: Double
    /// The unit of `value`: `s`, `requests per pod`, `×`.
    public var unit: String

    public init(_ name: String, _ value: Double, unit: String) {
        self.name = name
        self.value = value
        self.unit = unit
    }
}
