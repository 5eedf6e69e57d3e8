/// A family of policies that `inferscale tune` replays with different parameters. Each
/// family says which variants to try; the tuner replays them all the same way. A new family
/// plugs in by conforming to this protocol and being named in `TuneFamilies.named(_:rules:)`.
public protocol TuneFamily: Sendable {
    /// The family's name on the command line and in reports (`kpa`, `hpa`, a rule's name).
    var name: String { get }
    /// The variants to replay, in a fixed order that the report keeps. Throws
    /// `TuneError` when a variant cannot be formed (a grid value a rule file refuses).
    func variants(in context: TuneContext) throws(TuneError) -> [TuneVariant]
}

/// What a family needs to know to choose its variants.
public struct TuneContext: Sendable {
    /// The replica model of the run.
    public var profile: ModelProfile
    /// The per-pod concurrency target that `kpa` and `hpa` scale from (default: the profile's).
    public var baselineTarget: Double
    /// Mean cold start of a replica in the run, seconds.
    public var coldStartSeconds: Double
    /// The run's TTFT objective, seconds (default: the profile's).
    public var ttftObjectiveSeconds: Double

    public init(profile: ModelProfile, baselineTarget: Double? = nil, coldStartSeconds: Double? = nil,
                ttftObjectiveSeconds: Double? = nil) {
        self.profile = profile
        self.baselineTarget = baselineTarget ?? profile.concurrencyTarget
        self.coldStartSeconds = coldStartSeconds ?? profile.coldStartSeconds
        self.ttftObjectiveSeconds = ttftObjectiveSeconds ?? profile.ttftObjectiveSeconds
    }
}

/// A family could not form its variants, or a family name is unknown.
public struct TuneError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
