/// What a soak runs: its length, its fleet, how often each fault class strikes, and the bounds the
/// invariants hold it to. Defaults are the figures `inferscale-bench --only soak` reports.
public struct SoakConfiguration: Sendable {
    /// Seed of the fault schedule and the load changes; printed so a failure replays. Default 1.
    public var seed: UInt64 = 1
    /// Simulated seconds of the soak, one step per second (scrape every step, decide every `decideEvery`). Default 1,800.
    public var simulatedSeconds = 1_800
    /// Steps between decide ticks (the loop's 2 s tick at one step per second). Default 2.
    public var decideEvery = 2
    /// Injections of each fault class over the soak. Default 20.
    public var faultsPerClass = 20
    /// Targets (InferenceServices), each with `podsPerTarget` pods on their own loopback addresses. Default 3.
    public var targets = 3
    /// Pods per target. Default 3.
    public var podsPerTarget = 3
    /// The rule's bounds that every scale write must stay inside. Defaults 1 and 8.
    public var minReplicas = 1
    public var maxReplicas = 8
    /// Per-pod load (running requests) is drawn from this range, re-drawn per target about every `loadChangeEvery` steps.
    public var loadRange: ClosedRange<Int> = 5...60
    public var loadChangeEvery = 25
    /// Steps before the first fault (the loop learns the targets) and after the last one (everything settles). Defaults 30 and 60.
    public var warmupSteps = 30
    public var quietTailSteps = 60
    /// Scrape deadline of the soak's scrapers, seconds (a hanging pod costs this much real time). Default 0.5.
    public var scrapeDeadlineSeconds = 0.5
    /// The Kubernetes client's request timeout, seconds; an injected API delay is 1.5× it. Default 1.
    public var apiTimeoutSeconds = 1.0
    /// Lease timing of the two replicas' leader election, seconds (real time). Defaults 2, 1.33, 0.25.
    public var leaseDurationSeconds = 2.0
    public var renewDeadlineSeconds = 1.33
    public var retryPeriodSeconds = 0.25
    /// The remote-write queue's capacity (samples), small so that a long outage overflows it and drops are counted. Default 400.
    public var remoteWriteQueueCapacity = 400
    /// Simulated seconds of the longest remote-write outage (one of them); the others last 10–60 s. Default 600.
    public var longRemoteWriteOutageSeconds = 600
    /// Growth of the resident set allowed between the end of the warm-up and the end, MiB. Default 96.
    public var maxRSSGrowthMiB = 96.0
    /// Stop early (and fail) past this many real seconds. Default 900.
    public var wallClockLimitSeconds = 900.0

    public init() {}
}
