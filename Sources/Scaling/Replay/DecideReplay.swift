/// Replays a `DecideTrace` second by second through the KPA windows and decider exactly as
/// Knative's autoscaler would see it — the engine behind `inferscale decide`.
///
/// Each simulated second s = 0, 1, 2, …: ready pods are updated first; with ready pods a
/// scraped stat of the totals is recorded; without, any load is recorded as an activator
/// stat, and if the last valid decision was 0 and concurrency is above 0 on an odd second,
/// the decider runs at once (Knative's `Poke`). Every even second is a decider tick (2 s).
public struct DecideReplay: Sendable {
    /// How to replay.
    public struct Options: Sendable, Equatable {
        /// Ignore the trace's ready pods: pods follow the decisions, dropping at once and
        /// rising after this many seconds. nil: pods come from the trace.
        public var followDesiredSeconds: Int?
        /// Ready pods when the decider is created (default: the initial scale with
        /// follow-desired, else the first row's ready pods).
        public var initialReady: Int?
        /// Trace values are per pod and are multiplied by the ready pods of each second.
        public var perPod = false
        /// Last simulated second (default: last trace time + the stable window).
        public var durationSeconds: Int?

        /// Also run Knative's scale-to-zero gating (`ScaleToZeroStateMachine`: bounds, initial scale, the stable
        /// window active before going inactive, the grace period with the activator in the path, pod retention)
        /// after every evaluation; with follow-desired, pods then follow the replicas the gate applies.
        public var scaleToZero = false

        public init(followDesiredSeconds: Int? = nil, initialReady: Int? = nil, perPod: Bool = false, durationSeconds: Int? = nil,
                    scaleToZero: Bool = false) {
            self.followDesiredSeconds = followDesiredSeconds
            self.initialReady = initialReady
            self.perPod = perPod
            self.durationSeconds = durationSeconds
            self.scaleToZero = scaleToZero
        }
    }

    /// Whether an evaluation came from the 2 s tick or from load arriving at zero.
    public enum Event: String, Sendable {
        case tick
        case poke
    }

    /// One evaluation.
    public struct Evaluation: Sendable, Equatable {
        /// Simulated second.
        public var time: Int
        public var event: Event
        /// Ready pods at that second.
        public var readyPods: Int
        /// Revision-total load recorded that second.
        public var concurrency: Double
        public var rps: Double
        /// The decider's result.
        public var result: ScaleResult
        /// Panic mode after the evaluation.
        public var inPanic: Bool
        /// The last valid decision after this evaluation (−1 before any).
        public var latestDesired: Int32
        /// The scale-to-zero gate's verdict, with `Options.scaleToZero`.
        public var gate: Gate? = nil
    }

    /// One step of the scale-to-zero gate.
    public struct Gate: Sendable, Equatable {
        /// The gate's action (wanted scale, replicas applied or nil, activator in path, reason).
        public var action: ScaleToZeroStateMachine.Action
        /// `activating`, `active` or `inactive` after the step (the PodAutoscaler's Active condition).
        public var phase: String
    }

    public let policy: KPAPolicy
    public let options: Options

    public init(policy: KPAPolicy, options: Options = Options()) {
        self.policy = policy
        self.options = options
    }

    /// The last simulated second for `trace`.
    public func lastSecond(of trace: DecideTrace) -> Int {
        if let d = options.durationSeconds { return d }
        let last = trace.rows.last?.time ?? 0
        return Int((last + Double(policy.decider.stableWindowSeconds)).rounded(.up))
    }

    /// Runs the replay, handing each evaluation to `emit` as it happens.
    public func run(_ trace: DecideTrace, emit: (Evaluation) -> Void) {
        let following = options.followDesiredSeconds
        let initialScale = Int(policy.decider.initialScale)
        let firstReady = trace.rows.first?.readyPods ?? initialScale
        var ready = following != nil ? initialScale : firstReady
        let creationReady = options.initialReady ?? (following != nil ? initialScale : firstReady)

        var decider = Decider(spec: policy.decider, readyPods: creationReady, now: Timestamp(seconds: 0))
        var gate = ScaleToZeroStateMachine(settings: policy.scaling, now: Timestamp(seconds: 0))
        var applied = Int32(creationReady)
        var windows = policy.makeMetricCollection()
        var latest: Int32 = -1
        var decisions: [(time: Int, desired: Int32)] = []  // valid decisions, for follow-desired
        var delayedIndex = -1
        var rowIndex = 0
        let last = lastSecond(of: trace)

        func evaluate(_ s: Int, _ event: Event, _ concurrency: Double, _ rps: Double) {
            let now = Timestamp(seconds: Int64(s))
            let result = decider.evaluate(
                readyPods: ready, observation: windows.observation(of: policy.decider.metric, at: now), now: now)
            if result.isValid { latest = result.desiredPodCount }
            var step: Gate?
            if options.scaleToZero {
                let action = gate.reconcile(desired: latest, excessBurstCapacity: result.excessBurstCapacity, readyPods: ready, now: now)
                if let r = action.replicas { applied = r }
                let phase: String
                switch gate.phase {
                case .activating: phase = "activating"
                case .active: phase = "active"
                case .inactive: phase = "inactive"
                }
                step = Gate(action: action, phase: phase)
                if latest >= 0 { decisions.append((s, applied)) }
            } else if result.isValid {
                decisions.append((s, latest))
            }
            emit(Evaluation(time: s, event: event, readyPods: ready, concurrency: concurrency, rps: rps,
                            result: result, inPanic: decider.inPanic, latestDesired: latest, gate: step))
        }

        var s = 0
        while s <= last {
            if let delay = following {
                // Scale-down at once, scale-up after `delay` seconds.
                if latest >= 0 {
                    while delayedIndex + 1 < decisions.count && decisions[delayedIndex + 1].time <= s - delay { delayedIndex += 1 }
                    let delayed = delayedIndex >= 0 ? Int(decisions[delayedIndex].desired) : ready
                    ready = min(Int(options.scaleToZero ? applied : latest), delayed)
                }
            } else if let row = trace.row(at: Double(s), from: &rowIndex), let r = row.readyPods {
                ready = r
            }
            let row = trace.row(at: Double(s), from: &rowIndex)
            let scale = options.perPod ? Double(ready) : 1
            let concurrency = (row?.concurrency ?? 0) * scale
            let rps = (row?.rps ?? 0) * scale
            let now = Timestamp(seconds: Int64(s))
            if ready > 0 {
                windows.record(Stat(podName: "scraper", averageConcurrentRequests: concurrency, requestCount: rps), at: now)
            } else if concurrency > 0 || rps > 0 {
                windows.record(Stat(podName: "activator", averageConcurrentRequests: concurrency, requestCount: rps), at: now)
                if latest == 0 && concurrency > 0 && s % 2 == 1 {
                    evaluate(s, .poke, concurrency, rps)
                }
            }
            if s % 2 == 0 {
                evaluate(s, .tick, concurrency, rps)
            }
            s += 1
        }
    }
}
