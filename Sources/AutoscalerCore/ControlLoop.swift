import Logging
import Rules
import Scaling

/// The control loop: every scrape tick (1 s) it records each target's signals; every decide
/// tick (2 s) it evaluates each target's policy, gates scale to zero, and — as leader and
/// unless dry-running — sets the replicas. Load pushed for a target with no pods is recorded
/// at once and, when the target is at zero, decided at once (the cold-start fast path).
///
/// The loop talks to ports only (discovery, metric source, actuator, leadership); time is a
/// parameter, so tests drive it with a manual clock and no network.
///
/// Scrapes run concurrently, one child task per target in the round's task group, and a round
/// does not hold up the decide tick: `startScrapes(at:)` launches the round and returns, and each
/// target's sample is recorded at the round's time when it arrives (finished scrapes reach the
/// actor in batches through a `ScrapeInbox`: one hop for all that finished together). A target whose previous scrape is still in
/// flight is skipped for that round (and counted), so rounds never overlap for one target and
/// its samples stay in order. A second a target was not sampled is no data to its windows.
public actor ControlLoop {
    /// Settings.
    public struct Configuration: Sendable {
        /// Decide, log and export, but never set replicas.
        public var dryRun = false
        /// Cluster-wide Knative settings beneath rules and targets.
        public var autoscalerConfig = AutoscalerConfig()
        /// Seconds (loop time) between two warnings about one target's failing scrapes; the
        /// failures in between are counted into the next warning. Default 60.
        public var failureLogIntervalSeconds: Double = 60
        /// Scale writes a decide tick keeps in flight at once (default 8, at least 1). A tick makes every
        /// decision first, then writes; one after another, a fleet-wide load step cost one API round trip
        /// per target before the last target was scaled.
        public var writesInFlight = 8
        public init(dryRun: Bool = false, autoscalerConfig: AutoscalerConfig = AutoscalerConfig(),
                    failureLogIntervalSeconds: Double = 60, writesInFlight: Int = 8) {
            self.dryRun = dryRun
            self.autoscalerConfig = autoscalerConfig
            self.failureLogIntervalSeconds = failureLogIntervalSeconds
            self.writesInFlight = max(1, writesInFlight)
        }
    }

    /// One target's state, as `/debug/targets` shows it.
    public struct TargetStatus: Sendable, Equatable, Codable {
        public var target: String
        public var rule: String?
        public var readyPods: Int
        public var replicas: Int
        public var desired: Int32
        public var inPanic: Bool
        public var activatorInPath: Bool
        /// The scale-to-zero gate's wanted scale (−1: none yet), as a Knative PodAutoscaler's `desiredScale`.
        public var wanted: Int32 = -1
        public var policyError: String?
        /// The last scale write's error while it lasts (a 403 names the missing permission); nil once a write succeeds.
        public var patchError: String?
        /// `owned`, `paused` or `skipped` (see `TargetControl`).
        public var control: String
        /// Why the target is skipped, and what to do about it.
        public var skipReason: String?
        /// The count a paused target is held at (`inferscale.dev/paused-replicas`).
        public var pausedReplicas: Int?
        /// Ceiling guards that have held a scale-down for want of any reading and still have none (e.g.
        /// `guard:gpu-memory: no GPU memory reading for the target's pods; scale-downs held`); nil when none.
        public var guardsWithoutReadings: [String]? = nil
    }

    /// A class, so that reading or changing one field reaches the target's state in place: as a struct in the
    /// dictionary, every `targets[key]…` read copied the whole state (windows, policy, pods: dozens of retains), and
    /// at 10,000 targets those copies were most of the loop's own cost per target per tick.
    private final class TargetState {
        var discovered: DiscoveredTarget {
            didSet { if discovered.pods != oldValue.pods { readyPods = ReadyPods(discovered.pods) } }
        }
        /// What the decide tick reads of the pods, worked out when they change rather than on every tick.
        private(set) var readyPods: ReadyPods
        var policy: ResolvedPolicy?
        var policyError: String?
        var decider: PolicyDecider
        var gate: ScaleToZeroStateMachine
        var latestDesired: Int32 = -1
        var lastRecord: DecisionRecord?
        var activatorInPath = true
        var wanted: Int32 = -1
        /// The error of the last failed scale write, until one succeeds: logged once per change, not every tick.
        var patchError: String?
        /// Metric handles, made once (nil when telemetry is off).
        var metrics: TargetMetrics?
        /// When a failing scrape was last logged, and the failures since (rate-limited warnings).
        var failureLoggedAt: Timestamp?
        var failuresSinceLog: [String: Int] = [:]
        /// The guards that held for want of any reading and still have none: logged once when the set changes.
        var guardsWithoutReadings: [String] = []
        /// The last discovery pass that listed the target (`sync`), so that the targets no longer listed are found
        /// without a set of every key each round.
        var listedIn = 0

        init(discovered: DiscoveredTarget, policy: ResolvedPolicy?, policyError: String?, decider: PolicyDecider,
             gate: ScaleToZeroStateMachine, metrics: TargetMetrics?) {
            self.discovered = discovered
            self.readyPods = ReadyPods(discovered.pods)
            self.policy = policy
            self.policyError = policyError
            self.decider = decider
            self.gate = gate
            self.metrics = metrics
        }
    }

    /// What one scrape round started.
    public struct ScrapeRound: Sendable, Equatable {
        /// Targets whose scrape started, in key order.
        public var started: [String] = []
        /// Targets skipped because their previous scrape was still in flight, in key order.
        public var skipped: [String] = []
    }

    /// A round's scrapes still running, for its duration.
    private struct RoundProgress {
        var started: ContinuousClock.Instant
        var remaining: Int
        /// When the last target whose pods all answered was recorded: what healthy targets waited, apart from the
        /// pods that run to their deadline.
        var lastAnswered: ContinuousClock.Instant?
    }

    /// How long the last finished scrape round took, in seconds from its start.
    public struct RoundTimes: Sendable, Equatable {
        /// Until its last target's scrape ended.
        public var seconds: Double
        /// Until the last target whose pods all answered was recorded; nil when none did.
        public var answeredSeconds: Double?
    }

    private var configuration: Configuration
    private let discovery: TargetDiscovery
    private let source: MetricSource
    private let actuator: ScaleActuator
    private let leadership: Leadership
    private let log: DecisionLog
    private let telemetry: Telemetry
    private let logger: Logger
    private var rules: RuleSet
    private var targets: [String: TargetState] = [:]
    /// The targets' keys in name order, kept as targets come and go (rounds and ticks went through the keys sorted
    /// anew each time).
    private var keyOrder: [String] = []
    /// The targets whose scrape is in flight; at most one per target.
    private var inFlight: Set<String> = []
    /// Each round's task (its scrapes are the task's children) until the round's last scrape is recorded.
    private var roundTasks: [Int: Task<Void, Never>] = [:]
    /// Who waits for a target's scrape in flight to be recorded (`waitForScrape(of:)`).
    private var scrapeWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Finished scrapes not yet recorded.
    private let inbox = ScrapeInbox()
    private var rounds: [Int: RoundProgress] = [:]
    private var nextRound = 0
    /// Discovery passes so far (`sync`).
    private var syncPass = 0
    /// The last round that finished (`/debug` and tests; the histograms hold every round).
    public private(set) var lastRoundTimes: RoundTimes?
    /// Decision records not yet handed to the log: one hop to the log per tick, not one per target.
    private var unlogged: [(record: DecisionRecord, changed: Bool)] = []
    /// Whether discovery has answered at least once (readiness).
    public private(set) var hasDiscovered = false

    public init(configuration: Configuration, rules: RuleSet, discovery: TargetDiscovery, source: MetricSource,
                actuator: ScaleActuator, leadership: Leadership = SoleLeader(), log: DecisionLog,
                telemetry: Telemetry = Telemetry(), logger: Logger = Logger(label: "inferscale.loop")) {
        self.configuration = configuration
        self.rules = rules
        self.discovery = discovery
        self.source = source
        self.actuator = actuator
        self.leadership = leadership
        self.log = log
        self.telemetry = telemetry
        self.logger = logger
    }

    /// Puts new rules in force; every target's policy is resolved again and its window
    /// history kept.
    public func apply(rules newRules: RuleSet) {
        rules = newRules
        for key in targets.keys { resolve(key) }
    }

    /// Puts new cluster-wide settings in force (Knative's `config-autoscaler`, reloaded): every target's policy is
    /// resolved again, as after a rule reload; windows and scale-to-zero state carry over.
    public func apply(autoscalerConfig: AutoscalerConfig) {
        guard autoscalerConfig != configuration.autoscalerConfig else { return }
        configuration.autoscalerConfig = autoscalerConfig
        for key in targets.keys { resolve(key) }
    }

    /// Scrape tick, waiting for the round: refreshes the targets, scrapes each one and records
    /// its signals at `now`, and returns once every scrape this round started has ended (tests
    /// and replays; the cluster uses `startScrapes(at:)` so that a slow pod delays nothing).
    @discardableResult
    public func scrape(at now: Timestamp) async -> ScrapeRound {
        let (round, task) = await launchRound(at: now)
        await task?.value
        return round
    }

    /// Scrape tick: refreshes the targets and starts a scrape of each one that is not still in
    /// flight; returns at once. Each sample is recorded at `now` when it arrives.
    @discardableResult
    public func startScrapes(at now: Timestamp) async -> ScrapeRound {
        await launchRound(at: now).round
    }

    /// Waits until no scrape is in flight (tests: after releasing a held scrape).
    public func waitForScrapes() async {
        while let round = roundTasks.first {
            await round.value.value
            roundTasks[round.key] = nil
        }
    }

    /// Waits until the target's scrape in flight, if any, has ended and been recorded.
    public func waitForScrape(of key: String) async {
        guard inFlight.contains(key) else { return }
        await withCheckedContinuation { scrapeWaiters[key, default: []].append($0) }
    }

    /// Cancels the scrapes in flight (shutdown); nothing they return is recorded.
    public func cancelScrapes() {
        for task in roundTasks.values { task.cancel() }
    }

    /// Counts ticks the driver could not start on time because a pass ran past them.
    public func recordTickOverruns(_ missed: Int) { telemetry.tickOverruns(missed) }

    private func launchRound(at now: Timestamp) async -> (round: ScrapeRound, task: Task<Void, Never>?) {
        let discovered: [DiscoveredTarget]
        do {
            discovered = try await discovery.targets()
        } catch {
            // Keep the last known targets; their windows go on and no data never reads as zero.
            telemetry.discoveryFailed()
            logger.warning("discovery failed; keeping the last known targets", metadata: ["inferscale.error": "\(error)"])
            return (ScrapeRound(), nil)
        }
        hasDiscovered = true
        sync(discovered, now: now)
        if rounds.values.contains(where: { $0.remaining > 0 }) { telemetry.scrapeRoundOverrun() }
        let id = nextRound
        nextRound += 1
        var round = ScrapeRound()
        var jobs: [(key: String, target: DiscoveredTarget, rule: Rule.Source)] = []
        let started = ContinuousClock.now
        let keys = keyOrder
        let offset = Self.launchOffset(round: id, count: keys.count)
        // Where the rotated order wraps past the last name, so that `started` and `skipped` read in name order.
        var wrapStarted = 0, wrapSkipped = 0
        for (i, key) in (keys[offset...] + keys[..<offset]).enumerated() {
            if i == keys.count - offset {
                wrapStarted = round.started.count
                wrapSkipped = round.skipped.count
            }
            // Only the rule's source is read (a copy of the whole resolved policy per target per round showed in profiles).
            guard let state = targets[key], let rule = state.policy?.source, state.discovered.control.isScraped,
                  state.discovered.pods.contains(where: \.ready) else { continue }
            if inFlight.contains(key) {
                round.skipped.append(key)
                state.metrics?.scrapeSkipped()
                continue
            }
            round.started.append(key)
            jobs.append((key, state.discovered, rule))
            inFlight.insert(key)
        }
        let task = jobs.isEmpty ? nil : startRound(id, jobs, at: now)
        roundTasks[id] = task
        round.started = Array(round.started[wrapStarted...] + round.started[..<wrapStarted])
        round.skipped = Array(round.skipped[wrapSkipped...] + round.skipped[..<wrapSkipped])
        if round.started.isEmpty {
            telemetry.scrapeRound(seconds: (ContinuousClock.now - started).seconds)
        } else {
            rounds[id] = RoundProgress(started: started, remaining: round.started.count)
        }
        if !round.skipped.isEmpty {
            logger.debug("scrapes still in flight; skipped this round", metadata: ["inferscale.skipped": "\(round.skipped.count)"])
        }
        return (round, task)
    }

    /// Runs a round's scrapes, in launch order, as children of one task off the actor: each adds its result to the
    /// inbox, and the one that finds no delivery under way brings the inbox's results to the actor. The task ends
    /// only when every result has been recorded (a child that delivers waits for it; the others left theirs to
    /// a delivery still running).
    private func startRound(_ id: Int, _ jobs: [(key: String, target: DiscoveredTarget, rule: Rule.Source)],
                            at now: Timestamp) -> Task<Void, Never> {
        let source = self.source, inbox = self.inbox
        return Task.detached {
            await withDiscardingTaskGroup { group in
                for job in jobs {
                    group.addTask {
                        let begun = ContinuousClock.now
                        let signals = await source.collect(job.target, source: job.rule, at: now)
                        let finished = ScrapeInbox.Finished(key: job.key, round: id, time: now, signals: signals,
                                                            seconds: (ContinuousClock.now - begun).seconds,
                                                            cancelled: Task.isCancelled)
                        if inbox.add(finished) {
                            // One turn of the pool first, so that the scrapes finishing meanwhile join this delivery.
                            await Task.yield()
                            await self.deliverScrapes()
                        }
                    }
                }
            }
        }
    }

    /// Records every finished scrape in the inbox, in the order they finished.
    private func deliverScrapes() {
        for f in inbox.take() {
            finishScrape(f.key, round: f.round, f.signals, at: f.time, seconds: f.seconds, cancelled: f.cancelled)
        }
    }

    /// Where round `round` starts its scrapes in the name order of `count` targets. All of a round's scrapes start
    /// at once and wait for a slot within the scraper's slot wait (its deadline, or one scrape interval under
    /// `inferscale run`), so when a fleet has more pods than the scraper completes in that time, the last ones
    /// started fail: starting each round elsewhere (golden-ratio steps, spread evenly
    /// over any number of rounds) makes the targets that miss out change from round to round, instead of the same
    /// ones, late in the order, never being sampled.
    static func launchOffset(round: Int, count: Int) -> Int {
        guard count > 1 else { return 0 }
        // The fraction round × 0.618… (mod 1), as 64 bits, scaled to the count.
        let fraction = UInt64(truncatingIfNeeded: round) &* 0x9E37_79B9_7F4A_7C15
        return Int(UInt64(count).multipliedFullWidth(by: fraction).high)
    }

    /// Records a target's sample at the time of its round (never at its arrival, so a late
    /// sample cannot be reordered into a later second), unless the target went away or the
    /// scrape was cancelled.
    private func finishScrape(_ key: String, round id: Int, _ signals: CollectedSignals, at time: Timestamp, seconds: Double,
                              cancelled: Bool) {
        inFlight.remove(key)
        if let waiters = scrapeWaiters.removeValue(forKey: key) {
            // Resumed after this sample is recorded: the actor runs on before their turn comes.
            for waiter in waiters { waiter.resume() }
        }
        if var progress = rounds[id] {
            let ended = ContinuousClock.now
            if !cancelled && signals.podsFailed == 0 && signals.failureReasons.isEmpty { progress.lastAnswered = ended }
            progress.remaining -= 1
            if progress.remaining == 0 {
                rounds[id] = nil
                roundTasks[id] = nil
                let times = RoundTimes(seconds: (ended - progress.started).seconds,
                                       answeredSeconds: progress.lastAnswered.map { ($0 - progress.started).seconds })
                lastRoundTimes = times
                telemetry.scrapeRound(seconds: times.seconds)
                if let answered = times.answeredSeconds { telemetry.scrapeRoundAnswered(seconds: answered) }
            } else {
                rounds[id] = progress
            }
        }
        guard !cancelled, let state = targets[key] else { return }
        state.metrics?.scrape(seconds: seconds, failureReasons: signals.failureReasons)
        state.decider.record(signals.sample, at: time)
        if let figures = signals.gpuMemory { state.decider.record(gpuMemory: figures, at: time) }
        if !signals.failureReasons.isEmpty { noteFailures(key, signals, at: time) }
    }

    /// Failing scrapes show at the default log level, by target and reason, at most once per
    /// `failureLogIntervalSeconds` for each target.
    private func noteFailures(_ key: String, _ signals: CollectedSignals, at time: Timestamp) {
        guard let state = targets[key] else { return }
        for reason in signals.failureReasons { state.failuresSinceLog[reason, default: 0] += 1 }
        let interval = Int64(configuration.failureLogIntervalSeconds * 1e9)
        if let last = state.failureLoggedAt, time.nanoseconds - last.nanoseconds < interval { return }
        let reasons = state.failuresSinceLog.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var metadata: Logger.Metadata = [
            "inferscale.target": "\(key)", "inferscale.reasons": "\(reasons)",
            "inferscale.pods_failed": "\(signals.podsFailed)", "inferscale.pods_scraped": "\(signals.podsScraped)",
        ]
        if let first = signals.firstFailure { metadata["inferscale.error"] = "\(first)" }
        logger.warning("scrapes failed; their part is missing, not zero", metadata: metadata)
        state.failureLoggedAt = time
        state.failuresSinceLog = [:]
    }

    /// Decide tick: evaluates every target at `now` and acts on the results.
    @discardableResult
    public func decide(at now: Timestamp) async -> [DecisionRecord] {
        let started = ContinuousClock.now
        var records: [DecisionRecord] = []
        let leader = await leadership.isLeader
        telemetry.leadership(leader)
        var writes: [ScaleWrite] = []
        for key in keyOrder {
            if let r = decide(key, at: now, leader: leader, writes: &writes) { records.append(r) }
        }
        await perform(writes)
        await flushLog()
        telemetry.tick(seconds: (ContinuousClock.now - started).seconds)
        return records
    }

    /// Load reported by an activator or gateway for a target (typically one with no pods).
    /// Recorded at once; if the target's last decision was 0 (or there was none yet) and
    /// requests are waiting, it is decided at once. Throws for a target inferscale does not know.
    public func push(target key: String, concurrency: Double, rps: Double, at now: Timestamp) async throws(PushError) {
        guard concurrency.isFinite, rps.isFinite, concurrency >= 0, rps >= 0 else { throw PushError.invalid("concurrency and rps must be finite and non-negative") }
        try await push(target: key, sample: SignalSample([.concurrency: concurrency, .rps: rps]), at: now)
    }

    /// Load reported for a target as a sample: only the signals it holds are recorded (one nobody reported stays
    /// missing, never zero), with the same cold-start fast path as `push(target:concurrency:rps:at:)`, and the
    /// same ceiling on concurrency and requests/s (`pushCeiling(for:)`).
    public func push(target key: String, sample: SignalSample, at now: Timestamp) async throws(PushError) {
        guard targets[key] != nil else { throw PushError.unknownTarget(key) }
        for signal in Signal.allCases {
            if let v = sample[signal], !(v.isFinite && v >= 0) { throw PushError.invalid("\(signal.rawValue) must be finite and non-negative") }
        }
        let ceiling = pushCeiling(for: key)
        let largest = max(sample[.concurrency] ?? 0, sample[.rps] ?? 0)
        if largest > ceiling {
            throw PushError.overCeiling(target: key, value: largest, ceiling: ceiling)
        }
        targets[key]?.decider.record(sample, at: now)
        // Knative pokes only after a decision of 0; a target with no decision yet (−1) is
        // woken the same way rather than waiting for the next tick.
        if (targets[key]?.latestDesired ?? 1) <= 0 && (sample[.concurrency] ?? 0) > 0 {
            var writes: [ScaleWrite] = []
            decide(key, at: now, leader: await leadership.isLeader, writes: &writes)
            await perform(writes)
            await flushLog()
        }
    }

    /// The largest concurrency or requests/s one push may report for `key`: the rule's
    /// `source.pushCeiling`, else 100 per pod at maxReplicas (10 000 without a maximum).
    public func pushCeiling(for key: String) -> Double {
        let policy = targets[key]?.policy
        if let ceiling = policy?.source.pushCeiling { return ceiling }
        let maxReplicas = policy?.spec.maxReplicas ?? 0
        return maxReplicas > 0 ? 100 * Double(maxReplicas) : 10_000
    }

    /// The state of every target, for `/debug/targets`.
    public func status() -> [TargetStatus] {
        keyOrder.compactMap { key in
            guard let s = targets[key] else { return nil }
            return TargetStatus(target: key, rule: s.policy?.ruleName, readyPods: s.discovered.pods.filter(\.ready).count,
                                replicas: s.discovered.replicas, desired: s.latestDesired,
                                inPanic: s.policy != nil && s.decider.inPanic,
                                activatorInPath: s.activatorInPath, wanted: s.wanted, policyError: s.policyError, patchError: s.patchError,
                                control: s.discovered.control.state, skipReason: Self.skipReason(s.discovered.control),
                                pausedReplicas: Self.holdAt(s.discovered.control),
                                guardsWithoutReadings: Self.blindGuardDetails(s.guardsWithoutReadings))
        }
    }

    /// The newest decision records of a target.
    public func decisions(for key: String) async -> [DecisionRecord] { await log.records(for: key) }

    // MARK: - Internals

    private func sync(_ discovered: [DiscoveredTarget], now: Timestamp) {
        syncPass &+= 1
        let pass = syncPass
        // Known targets listed this pass, each once (a key listed twice counts once).
        var listed = 0
        var added = false
        for target in discovered {
            let key = target.key
            if let state = targets[key] {
                if state.listedIn != pass {
                    state.listedIn = pass
                    listed += 1
                }
                guard state.discovered != target else { continue }
                reportControl(target, previous: state.discovered.control)
                let changed = state.discovered.description != target.description
                state.discovered = target
                if changed { resolve(key) }
                continue
            }
            reportControl(target, previous: nil)
            added = true
            let ready = target.pods.filter(\.ready).count
            let resolved = Self.resolve(target.description, rules: rules, config: configuration.autoscalerConfig)
            let spec = resolved.policy?.spec ?? PolicySpec()
            let state = TargetState(
                discovered: target, policy: resolved.policy, policyError: resolved.error,
                decider: PolicyDecider(spec: spec, target: key, readyPods: ready, now: now),
                gate: ScaleToZeroStateMachine(settings: resolved.policy?.scaling ?? ScaleToZeroSettings(), now: now),
                metrics: telemetry.handles(for: key))
            if ready > 0 { _ = state.gate.reconcile(desired: Int32(ready), excessBurstCapacity: -1, readyPods: ready, now: now) }
            state.listedIn = pass
            listed += 1
            targets[key] = state
            if let error = resolved.error {
                logger.error("target has no valid policy; it is left as it is", metadata: ["inferscale.target": "\(key)", "inferscale.error": "\(error)"])
            }
        }
        var removed = false
        if targets.count > listed {
            for key in keyOrder where targets[key]?.listedIn != pass {
                targets[key]?.metrics?.destroy()
                telemetry.forget(target: key)
                targets[key] = nil
                removed = true
                Task { [log] in await log.forget(key) }
            }
        }
        if added || removed { keyOrder = targets.keys.sorted() }
    }

    /// Logs a target's control once per change: skipped with the reason, paused, or handed back.
    private func reportControl(_ target: DiscoveredTarget, previous: TargetControl?) {
        guard target.control != previous else { return }
        let metadata: Logger.Metadata = ["inferscale.target": "\(target.key)"]
        switch target.control {
        case .skipped(let reason):
            logger.warning("not scaling \(target.key): \(reason)", metadata: metadata)
        case .paused(let holdAt):
            let held = holdAt.map { "; replicas held at \($0)" } ?? ""
            logger.notice("paused by inferscale.dev/paused: decisions are logged, not applied\(held)", metadata: metadata)
        case .owned where previous != nil:
            logger.notice("scaling \(target.key) again", metadata: metadata)
        case .owned:
            break
        }
        telemetry.control(target: target.key, target.control)
    }

    private static func blindGuardDetails(_ names: [String]) -> [String]? {
        names.isEmpty ? nil : names.map { "guard:\($0): \(DecisionRecord.noReading(guard: $0)); scale-downs held" }
    }

    /// A guard with no reading holds every scale-down of the target for as long as its pods report nothing: say so
    /// once, when it first holds one (a target on nodes without a GPU exporter, or a runtime without KV metrics,
    /// never scales down), and once when readings come back. Returns the guards reported now. A guard is reported
    /// from its first hold until it has a reading, not only on the ticks that ask to scale down.
    private func reportGuardsWithoutReadings(_ key: String, _ record: DecisionRecord, previous: [String]) -> [String] {
        guard record.valid else { return previous }
        let blind = record.guardsWithoutReadings ?? []
        let holding = blind.filter { name in record.clamps.contains { $0.step == "guard:\(name)" } }
        let now = previous.filter(blind.contains) + holding.filter { !previous.contains($0) }
        let metadata: Logger.Metadata = ["inferscale.target": "\(key)"]
        for name in now where !previous.contains(name) {
            let fix = name == "gpu-memory"
                ? "run the GPU agent DaemonSet or dcgm-exporter on its nodes, or scrape Triton's GPU metrics (docs/gpu.md)"
                : "scrape a runtime that reports KV-cache use (vLLM, SGLang) or set source.metricNames.kv-cache-utilization"
            logger.warning("guard \(name) holds every scale-down: \(DecisionRecord.noReading(guard: name)); \(fix)", metadata: metadata)
        }
        for name in previous where !now.contains(name) {
            logger.notice("guard \(name) has readings again", metadata: metadata)
        }
        return now
    }

    private static func skipReason(_ c: TargetControl) -> String? {
        if case .skipped(let reason) = c { return reason }
        return nil
    }

    private static func holdAt(_ c: TargetControl) -> Int? {
        if case .paused(let n) = c { return n }
        return nil
    }

    private func resolve(_ key: String) {
        guard let state = targets[key] else { return }
        let resolved = Self.resolve(state.discovered.description, rules: rules, config: configuration.autoscalerConfig)
        state.policyError = resolved.error
        guard let policy = resolved.policy else { return }
        state.policy = policy
        state.decider.update(spec: policy.spec)
        state.gate.update(settings: policy.scaling)
    }

    private static func resolve(_ d: TargetDescription, rules: RuleSet, config: AutoscalerConfig) -> (policy: ResolvedPolicy?, error: String?) {
        do {
            return (try ResolvedPolicy.resolve(rule: rules.rule(for: d), target: d, config: config), nil)
        } catch {
            return (nil, error.description)
        }
    }

    @discardableResult
    private func decide(_ key: String, at now: Timestamp, leader: Bool, writes: inout [ScaleWrite]) -> DecisionRecord? {
        guard let state = targets[key], state.policy != nil, state.discovered.control.isScraped else { return nil }
        let ready = state.readyPods
        let youngest = ready.youngestReadySince.map { Double(now.nanoseconds - $0.nanoseconds) / 1e9 }
        let pods = PodCounts(ready: ready.count, notReady: state.discovered.pods.count - ready.count,
                             youngestReadyAgeSeconds: youngest, currentReplicas: state.discovered.replicas, startups: ready.startups)
        var record = state.decider.evaluate(pods: pods, at: now)
        if case .paused(let holdAt) = state.discovered.control {
            // Marked, so the decision log and `explain` show that this decision was not applied.
            let held = Int32(holdAt ?? state.discovered.replicas)
            record.clamps.append(.init(step: "paused", from: record.desired, to: held,
                                       detail: holdAt.map { "inferscale.dev/paused-replicas holds \($0)" } ?? "inferscale.dev/paused: not applied"))
        }
        let changed = record.valid && record.desired != state.latestDesired
        if record.valid { state.latestDesired = record.desired }
        let action = state.gate.reconcile(desired: state.latestDesired, excessBurstCapacity: record.excessBurstCapacity,
                                          readyPods: ready.count, now: now)
        state.activatorInPath = action.activatorInPath
        state.wanted = action.want
        state.lastRecord = record
        state.guardsWithoutReadings = reportGuardsWithoutReadings(key, record, previous: state.guardsWithoutReadings)
        state.metrics?.decision(record, actual: state.discovered.replicas)
        unlogged.append((record, changed))

        var wanted = action.replicas
        if case .paused(let holdAt) = state.discovered.control {
            // An operator holds the target: the decision is recorded above, the replicas are theirs (or held at N).
            if let replicas = wanted, replicas != state.discovered.replicas, holdAt == nil {
                targets[key]?.metrics?.patch(outcome: "paused")
                logger.debug("paused: would scale to \(replicas)", metadata: ["inferscale.target": "\(key)"])
            }
            wanted = holdAt.map(Int32.init)
        }
        if let replicas = wanted, replicas != state.discovered.replicas {
            if !(leader && leadership.leads(key)) {
                targets[key]?.metrics?.patch(outcome: "follower")
            } else if configuration.dryRun {
                targets[key]?.metrics?.patch(outcome: "dry-run")
                logger.info("would scale (dry run)", metadata: ["inferscale.target": "\(key)", "inferscale.replicas": "\(replicas)"])
            } else {
                let reason = wanted == action.replicas ? Self.reason(record, action) : "held at \(replicas) by inferscale.dev/paused-replicas"
                writes.append(ScaleWrite(key: key, target: state.discovered.description, replicas: Int(replicas), reason: reason))
            }
        }
        return record
    }

    /// A scale write a tick decided on, made after every target is decided.
    struct ScaleWrite: Sendable {
        var key: String
        var target: TargetDescription
        var replicas: Int
        var reason: String
    }

    private enum WriteOutcome: Sendable {
        case written
        case notLeading
        case failed(String)
    }

    /// Makes a tick's writes, `configuration.writesInFlight` at a time, in the tick's order. Leadership read at the
    /// start of the tick may lapse while earlier writes are made: each write asks again just before it is sent, so
    /// a replica that lost its Lease sends none that start after (at most the writes already in flight, each asked
    /// at its own start, as one write was before). The outcome of each is applied here, on the loop.
    private func perform(_ writes: [ScaleWrite]) async {
        guard !writes.isEmpty else { return }
        let actuator = self.actuator, leadership = self.leadership
        let width = configuration.writesInFlight
        await withTaskGroup(of: (Int, WriteOutcome).self) { group in
            func launch(_ index: Int) {
                let write = writes[index]
                group.addTask {
                    guard leadership.leads(write.key), await leadership.isLeader else { return (index, .notLeading) }
                    do {
                        try await actuator.scale(write.target, to: write.replicas, reason: write.reason)
                        return (index, .written)
                    } catch {
                        return (index, .failed("\(error)"))
                    }
                }
            }
            var next = 0
            while next < min(width, writes.count) { launch(next); next += 1 }
            while let (index, outcome) = await group.next() {
                applied(writes[index], outcome)
                if next < writes.count { launch(next); next += 1 }
            }
        }
    }

    private func applied(_ write: ScaleWrite, _ outcome: WriteOutcome) {
        let key = write.key
        switch outcome {
        case .notLeading:
            targets[key]?.metrics?.patch(outcome: "follower")
        case .written:
            targets[key]?.discovered.replicas = write.replicas
            targets[key]?.metrics?.patch(outcome: "success")
            if targets[key]?.patchError != nil {
                targets[key]?.patchError = nil
                logger.info("scale writes succeed again", metadata: ["inferscale.target": "\(key)", "inferscale.replicas": "\(write.replicas)"])
            }
        case .failed(let message):
            // The decision stands; the next tick tries again. The same failure is logged once, not every tick.
            targets[key]?.metrics?.patch(outcome: "error")
            if targets[key]?.patchError != message {
                logger.error("scale failed", metadata: ["inferscale.target": "\(key)", "inferscale.error": "\(message)"])
            }
            targets[key]?.patchError = message
        }
    }

    private func flushLog() async {
        guard !unlogged.isEmpty else { return }
        let batch = unlogged
        unlogged = []
        await log.record(batch)
    }

    static func reason(_ r: DecisionRecord, _ a: ScaleToZeroStateMachine.Action) -> String {
        var parts: [String] = []
        if let w = r.winner { parts.append("\(w.rawValue) asks for \(r.desired)") }
        if r.inPanic { parts.append("panic") }
        if let c = r.clamps.last { parts.append("\(c.step): \(c.detail)") }
        parts.append(a.reason)
        return parts.joined(separator: "; ")
    }
}

/// Why a push was refused.
public enum PushError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such target (HTTP 404).
    case unknownTarget(String)
    /// Malformed values (HTTP 400).
    case invalid(String)
    /// A value above the target's push ceiling (HTTP 422): refused, nothing recorded.
    case overCeiling(target: String, value: Double, ceiling: Double)

    public var description: String {
        switch self {
        case .unknownTarget(let t): "unknown target \(t)"
        case .invalid(let m): m
        case .overCeiling(let t, let v, let c): "\(t): pushed value \(v) is above the target's push ceiling \(c) (rules[].source.pushCeiling)"
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
