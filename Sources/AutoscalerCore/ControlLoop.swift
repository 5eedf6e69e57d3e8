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
public actor ControlLoop {
    /// Settings.
    public struct Configuration: Sendable {
        /// Decide, log and export, but never set replicas.
        public var dryRun = false
        /// Cluster-wide Knative settings beneath rules and targets.
        public var autoscalerConfig = AutoscalerConfig()
        public init(dryRun: Bool = false, autoscalerConfig: AutoscalerConfig = AutoscalerConfig()) {
            self.dryRun = dryRun
            self.autoscalerConfig = autoscalerConfig
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
        public var policyError: String?
        /// The last scale write's error while it lasts (a 403 names the missing permission); nil once a write succeeds.
        public var patchError: String?
        /// `owned`, `paused` or `skipped` (see `TargetControl`).
        public var control: String
        /// Why the target is skipped, and what to do about it.
        public var skipReason: String?
        /// The count a paused target is held at (`inferscale.dev/paused-replicas`).
        public var pausedReplicas: Int?
    }

    private struct TargetState {
        var discovered: DiscoveredTarget
        var policy: ResolvedPolicy?
        var policyError: String?
        var decider: PolicyDecider
        var gate: ScaleToZeroStateMachine
        var latestDesired: Int32 = -1
        var lastRecord: DecisionRecord?
        var activatorInPath = true
        /// The error of the last failed scale write, until one succeeds: logged once per change, not every tick.
        var patchError: String?
    }

    private let configuration: Configuration
    private let discovery: TargetDiscovery
    private let source: MetricSource
    private let actuator: ScaleActuator
    private let leadership: Leadership
    private let log: DecisionLog
    private let telemetry: Telemetry
    private let logger: Logger
    private var rules: RuleSet
    private var targets: [String: TargetState] = [:]
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

    /// Scrape tick: refresh targets and record each one's signals at `now`.
    public func scrape(at now: Timestamp) async {
        let discovered: [DiscoveredTarget]
        do {
            discovered = try await discovery.targets()
        } catch {
            // Keep the last known targets; their windows go on and no data never reads as zero.
            telemetry.discoveryFailed()
            logger.warning("discovery failed; keeping the last known targets", metadata: ["inferscale.error": "\(error)"])
            return
        }
        hasDiscovered = true
        sync(discovered, now: now)
        for key in targets.keys.sorted() {
            guard let state = targets[key], let policy = state.policy, state.discovered.control.isScraped,
                  state.discovered.pods.contains(where: \.ready) else { continue }
            let started = ContinuousClock.now
            let signals = await source.collect(state.discovered, source: policy.source, at: now)
            telemetry.scrape(target: key, seconds: (ContinuousClock.now - started).seconds, failureReasons: signals.failureReasons)
            targets[key]?.decider.record(signals.sample, at: now)
        }
    }

    /// Decide tick: evaluates every target at `now` and acts on the results.
    @discardableResult
    public func decide(at now: Timestamp) async -> [DecisionRecord] {
        let started = ContinuousClock.now
        var records: [DecisionRecord] = []
        let leader = await leadership.isLeader
        telemetry.leadership(leader)
        for key in targets.keys.sorted() {
            if let r = await decide(key, at: now, leader: leader) { records.append(r) }
        }
        telemetry.tick(seconds: (ContinuousClock.now - started).seconds)
        return records
    }

    /// Load reported by an activator or gateway for a target (typically one with no pods).
    /// Recorded at once; if the target's last decision was 0 (or there was none yet) and
    /// requests are waiting, it is decided at once. Throws for a target inferscale does not know.
    public func push(target key: String, concurrency: Double, rps: Double, at now: Timestamp) async throws(PushError) {
        guard targets[key] != nil else { throw PushError.unknownTarget(key) }
        guard concurrency.isFinite, rps.isFinite, concurrency >= 0, rps >= 0 else { throw PushError.invalid("concurrency and rps must be finite and non-negative") }
        let ceiling = pushCeiling(for: key)
        if concurrency > ceiling || rps > ceiling {
            throw PushError.overCeiling(target: key, value: max(concurrency, rps), ceiling: ceiling)
        }
        targets[key]?.decider.record(SignalSample([.concurrency: concurrency, .rps: rps]), at: now)
        // Knative pokes only after a decision of 0; a target with no decision yet (−1) is
        // woken the same way rather than waiting for the next tick.
        if (targets[key]?.latestDesired ?? 1) <= 0 && concurrency > 0 {
            await decide(key, at: now, leader: await leadership.isLeader)
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
        targets.keys.sorted().compactMap { key in
            guard let s = targets[key] else { return nil }
            return TargetStatus(target: key, rule: s.policy?.ruleName, readyPods: s.discovered.pods.filter(\.ready).count,
                                replicas: s.discovered.replicas, desired: s.latestDesired,
                                inPanic: s.policy != nil && s.decider.inPanic,
                                activatorInPath: s.activatorInPath, policyError: s.policyError, patchError: s.patchError,
                                control: s.discovered.control.state, skipReason: Self.skipReason(s.discovered.control),
                                pausedReplicas: Self.holdAt(s.discovered.control))
        }
    }

    /// The newest decision records of a target.
    public func decisions(for key: String) async -> [DecisionRecord] { await log.records(for: key) }

    // MARK: - Internals

    private func sync(_ discovered: [DiscoveredTarget], now: Timestamp) {
        let seen = Set(discovered.map(\.key))
        for key in targets.keys where !seen.contains(key) { targets[key] = nil }
        for target in discovered {
            reportControl(target, previous: targets[target.key]?.discovered.control)
            if targets[target.key] != nil {
                let changed = targets[target.key]!.discovered.description != target.description
                targets[target.key]!.discovered = target
                if changed { resolve(target.key) }
                continue
            }
            let ready = target.pods.filter(\.ready).count
            let resolved = Self.resolve(target.description, rules: rules, config: configuration.autoscalerConfig)
            let spec = resolved.policy?.spec ?? PolicySpec()
            var state = TargetState(
                discovered: target, policy: resolved.policy, policyError: resolved.error,
                decider: PolicyDecider(spec: spec, target: target.key, readyPods: ready, now: now),
                gate: ScaleToZeroStateMachine(settings: resolved.policy?.scaling ?? ScaleToZeroSettings(), now: now))
            if ready > 0 { _ = state.gate.reconcile(desired: Int32(ready), excessBurstCapacity: -1, readyPods: ready, now: now) }
            targets[target.key] = state
            if let error = resolved.error {
                logger.error("target has no valid policy; it is left as it is", metadata: ["inferscale.target": "\(target.key)", "inferscale.error": "\(error)"])
            }
        }
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
        targets[key]!.policyError = resolved.error
        guard let policy = resolved.policy else { return }
        targets[key]!.policy = policy
        targets[key]!.decider.update(spec: policy.spec)
    }

    private static func resolve(_ d: TargetDescription, rules: RuleSet, config: AutoscalerConfig) -> (policy: ResolvedPolicy?, error: String?) {
        do {
            return (try ResolvedPolicy.resolve(rule: rules.rule(for: d), target: d, config: config), nil)
        } catch {
            return (nil, error.description)
        }
    }

    @discardableResult
    private func decide(_ key: String, at now: Timestamp, leader: Bool) async -> DecisionRecord? {
        guard var state = targets[key], state.policy != nil, state.discovered.control.isScraped else { return nil }
        let ready = state.discovered.pods.filter(\.ready)
        let youngest = ready.compactMap(\.readySince).max().map { Double(now.nanoseconds - $0.nanoseconds) / 1e9 }
        let pods = PodCounts(ready: ready.count, notReady: state.discovered.pods.count - ready.count,
                             youngestReadyAgeSeconds: youngest, currentReplicas: state.discovered.replicas)
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
        state.lastRecord = record
        targets[key] = state
        await log.record(record, changed: changed)
        telemetry.decision(record, actual: state.discovered.replicas)

        var wanted = action.replicas
        if case .paused(let holdAt) = state.discovered.control {
            // An operator holds the target: the decision is recorded above, the replicas are theirs (or held at N).
            if let replicas = wanted, replicas != state.discovered.replicas, holdAt == nil {
                telemetry.patch(target: key, outcome: "paused")
                logger.debug("paused: would scale to \(replicas)", metadata: ["inferscale.target": "\(key)"])
            }
            wanted = holdAt.map(Int32.init)
        }
        if let replicas = wanted, replicas != state.discovered.replicas {
            if !leader {
                telemetry.patch(target: key, outcome: "follower")
            } else if configuration.dryRun {
                telemetry.patch(target: key, outcome: "dry-run")
                logger.info("would scale (dry run)", metadata: ["inferscale.target": "\(key)", "inferscale.replicas": "\(replicas)"])
            } else {
                do {
                    let reason = wanted == action.replicas ? Self.reason(record, action) : "held at \(replicas) by inferscale.dev/paused-replicas"
                    try await actuator.scale(state.discovered.description, to: Int(replicas), reason: reason)
                    targets[key]?.discovered.replicas = Int(replicas)
                    telemetry.patch(target: key, outcome: "success")
                    if targets[key]?.patchError != nil {
                        targets[key]?.patchError = nil
                        logger.info("scale writes succeed again", metadata: ["inferscale.target": "\(key)", "inferscale.replicas": "\(replicas)"])
                    }
                } catch {
                    // The decision stands; the next tick tries again. The same failure is logged once, not every tick.
                    telemetry.patch(target: key, outcome: "error")
                    let message = "\(error)"
                    if targets[key]?.patchError != message {
                        logger.error("scale failed", metadata: ["inferscale.target": "\(key)", "inferscale.error": "\(message)"])
                    }
                    targets[key]?.patchError = message
                }
            }
        }
        return record
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
