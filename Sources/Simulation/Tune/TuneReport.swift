/// What `inferscale tune` found: per family, every variant's figures, the Pareto frontier of
/// replica-seconds against the share over the objective, and the cheapest variant that meets it.
public struct TuneReport: Sendable {
    /// One replayed variant.
    public struct Entry: Sendable {
        public var variant: TuneVariant
        /// The replay's figures; `policy` is the variant's name.
        public var result: PolicyResult
        /// Replica-seconds over the reference replay's (nil without one).
        public var replicaSecondsVsReference: Double?
        /// Replica-seconds over the lower bound's at the objective quantile (nil without one).
        public var replicaSecondsVsBound: Double?
    }

    /// One family's variants and what stands out among them.
    public struct Family: Sendable {
        public var name: String
        /// In the family's order.
        public var entries: [Entry]
        /// Indices into `entries` of the Pareto frontier, cheapest first.
        public var frontier: [Int]
        /// Index of the cheapest variant whose share over the objective is at most
        /// `1 − objectiveQuantile` (ties: the lower share, then the first); nil when none is.
        public var cheapestMeetingObjective: Int?
        /// Index of the variant with the lowest share over the objective (ties: the cheaper).
        public var lowestShare: Int?
    }

    public var families: [Family]
    /// The replay every variant's cost is compared with (nil without one); `tune` uses the
    /// clairvoyant oracle, a reference and not a lower bound (`OracleSchedule`).
    public var reference: PolicyResult?
    /// The lower bound on any scaler's replica-seconds at the objective (`ClairvoyantBound`),
    /// when asked for (`TuneConfiguration.bound`).
    public var bound: ClairvoyantBound.Result?
    /// Seconds of the trace replayed.
    public var duration: Double
    public var profile: String
    /// The objective: time to first token at most this many seconds…
    public var ttftObjectiveSeconds: Double
    /// …for at least this share of requests (0–1).
    public var objectiveQuantile: Double

    /// The most a variant may serve over the objective and still meet it.
    public var allowedShare: Double { 1 - objectiveQuantile }

    /// Whether `share` (0–1) meets the objective; a rounding margin keeps 1 − 0.95 exact.
    public static func meets(_ share: Double, quantile: Double) -> Bool { share <= 1 - quantile + 1e-12 }
}
