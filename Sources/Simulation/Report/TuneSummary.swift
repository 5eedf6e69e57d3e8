import Foundation

/// `tune`'s JSON report: what was replayed, the reference replay if any, and per family every
/// variant with its parameters and the same fields as `simulate`'s results.
public struct TuneSummary: Encodable, Sendable {
    /// One variant: its name, family and parameters, whether it meets the objective, and
    /// every field of its `PolicyResult` at the same level.
    public struct Variant: Encodable, Sendable {
        public var family: String
        public var parameters: [String: Double]
        public var meetsObjective: Bool
        public var replicaSecondsVsReference: Double?
        public var replicaSecondsVsBound: Double?
        public var result: PolicyResult

        enum Keys: String, CodingKey { case name, family, parameters, meetsObjective, replicaSecondsVsReference, replicaSecondsVsBound }

        public func encode(to encoder: any Encoder) throws {
            try result.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(result.policy, forKey: .name)
            try c.encode(family, forKey: .family)
            try c.encode(parameters, forKey: .parameters)
            try c.encode(meetsObjective, forKey: .meetsObjective)
            try c.encodeIfPresent(replicaSecondsVsReference, forKey: .replicaSecondsVsReference)
            try c.encodeIfPresent(replicaSecondsVsBound, forKey: .replicaSecondsVsBound)
        }
    }

    /// One family: its variants in order, the frontier's names cheapest first, and the cheapest
    /// variant meeting the objective with the rule file written for it.
    public struct Family: Encodable, Sendable {
        public var family: String
        public var frontier: [String]
        public var cheapestMeetingObjective: String?
        public var lowestShare: String?
        /// Where its rule file was written (nil: none met the objective, or it is not a rule).
        public var ruleFile: String?
        public var variants: [Variant]
    }

    public var trace: String
    public var requests: Int
    public var seconds: Double
    public var profile: String
    public var ttftObjectiveSeconds: Double
    public var objectiveQuantile: Double
    public var reference: PolicyResult?
    /// The lower bound at the objective quantile (`ClairvoyantBound`), when computed.
    public var bound: ClairvoyantBound.Result?
    public var families: [Family]

    /// `ruleFiles`: paths written, by family name.
    public init(_ report: TuneReport, trace: String, requests: Int, ruleFiles: [String: String] = [:]) {
        self.trace = trace
        self.requests = requests
        seconds = report.duration
        profile = report.profile
        ttftObjectiveSeconds = report.ttftObjectiveSeconds
        objectiveQuantile = report.objectiveQuantile
        reference = report.reference
        bound = report.bound
        families = report.families.map { f in
            Family(family: f.name, frontier: f.frontier.map { f.entries[$0].variant.name },
                   cheapestMeetingObjective: f.cheapestMeetingObjective.map { f.entries[$0].variant.name },
                   lowestShare: f.lowestShare.map { f.entries[$0].variant.name }, ruleFile: ruleFiles[f.name],
                   variants: f.entries.map { e in
                       Variant(family: f.name, parameters: Dictionary(e.variant.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                               meetsObjective: TuneReport.meets(e.result.overObjectiveShare, quantile: report.objectiveQuantile),
                               replicaSecondsVsReference: e.replicaSecondsVsReference, replicaSecondsVsBound: e.replicaSecondsVsBound,
                               result: e.result)
                   })
        }
    }

    /// Pretty-printed with sorted keys: the same report gives the same bytes.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
