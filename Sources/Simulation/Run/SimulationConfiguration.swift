/// What to replay and how. Defaults are those of `inferscale simulate`.
public struct SimulationConfiguration: Sendable {
    /// The requests, already windowed and time-scaled.
    public var trace: Trace
    /// How a replica behaves.
    public var profile: ModelProfile
    /// Policies to compare; results are reported in this order.
    public var policies: [PolicyChoice]
    /// Mean cold start in seconds (default: the profile's).
    public var coldStartSeconds: Double?
    /// Time-to-first-token objective (default: the profile's).
    public var ttftObjectiveSeconds: Double?
    /// Seconds a request may wait for service before it fails (Knative's default revision
    /// timeout is 300 s).
    public var requestTimeoutSeconds = 300.0
    /// Per-pod concurrency target of the `kpa` and `hpa` baselines (default: the profile's).
    public var baselineConcurrencyTarget: Double?
    /// Scale-down stabilisation window of the `hpa` baseline, seconds (default 300, the HPA's own).
    public var hpaStabilisationSeconds = 300.0
    /// Targets the trace is spread over (request i goes to target i mod n); each has its
    /// own replicas and policy state, all in one control loop.
    public var targets = 1
    /// Seed of every random draw (cold starts, service times).
    public var seed: UInt64 = 1
    /// Keep a per-second series for charts (off for benchmarks).
    public var keepSeries = true
    /// The share of requests (0–1) the lower bound (`bound`) lets meet the objective (default
    /// 0.95, `--objective-quantile`'s).
    public var objectiveQuantile = 0.95
    /// How the lower bound searches its windows (its floor: `minReplicas`).
    public var bound = ClairvoyantBound.Configuration()

    public init(trace: Trace, profile: ModelProfile, policies: [PolicyChoice]) {
        self.trace = trace
        self.profile = profile
        self.policies = policies
    }
}
