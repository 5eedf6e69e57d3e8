import Foundation

/// What `Tuner` replays and how. Defaults are those of `inferscale tune`.
public struct TuneConfiguration: Sendable {
    /// The run every variant is replayed in (trace, model, objective, seed…); its policies
    /// are ignored.
    public var base: SimulationConfiguration
    /// The families, in report order.
    public var families: [any TuneFamily]
    /// The share of requests (0–1) whose time to first token must be within the objective
    /// (default 0.95: p95 TTFT at most the objective).
    public var objectiveQuantile = 0.95
    /// Replays run at once (default: the machine's active cores). 1 replays them one by one.
    public var parallelism = ProcessInfo.processInfo.activeProcessorCount
    /// A policy replayed once beside the variants, whose replica-seconds every variant is
    /// divided by (nil: none). The seam for the clairvoyant oracle: set it to `.oracle`.
    public var reference: PolicyChoice?
    /// Whether to compute the lower bound at `objectiveQuantile` and give every variant its
    /// ratio to it (default false; `tune` turns it on).
    public var bound = false

    public init(base: SimulationConfiguration, families: [any TuneFamily]) {
        self.base = base
        self.families = families
    }
}
