/// Decides a target's replicas from several signals: each metric has its own stable and
/// panic windows and per-pod target, the largest recommendation wins, panic starts when any
/// metric's panic count crosses the threshold, and guards can hold a scale-down. The KPA
/// rules (rate limits, panic hold, scale-down delay, burst capacity) are the `Decider`'s own
/// code, so one concurrency metric with Knative's defaults decides exactly as KPA.
public struct PolicyDecider: Sendable {
    private struct MetricWindows: Sendable {
        var stable: TimeBucketWindow
        var panic: TimeBucketWindow
    }

    /// The policy in force.
    public private(set) var spec: PolicySpec
    /// Target name for records.
    public let target: String
    var decider: Decider
    /// The objective policy's sizing, when the spec states an objective.
    var sizer: ObjectiveSizer?
    private var windows: [MetricWindows]
    /// Concurrency panic window for the excess burst capacity when no metric is concurrency.
    var burstWindow: TimeBucketWindow?
    /// Windows of utilisation signals that guards read but no metric scales on.
    private var guardWindows: [(signal: Signal, window: TimeBucketWindow)] = []
    /// The latest per-pod GPU memory from node exporters, and when it was scraped.
    private var gpuMemory: (figures: GPUMemoryFigures, at: Timestamp)?

    /// A decider created at `now` for a target with `readyPods` ready pods (more than one
    /// starts in panic, as in KPA).
    public init(spec: PolicySpec, target: String = "", readyPods: Int, now: Timestamp) {
        self.spec = spec
        self.target = target
        decider = Decider(spec: spec.decider, readyPods: readyPods, now: now)
        windows = spec.metrics.map {
            MetricWindows(stable: Self.window($0.stableWindowSeconds, spec), panic: Self.window($0.panicWindowSeconds, spec))
        }
        if !spec.metrics.contains(where: { $0.signal == .concurrency || $0.signal == .rps }) {
            burstWindow = Self.window(spec.metrics.first?.panicWindowSeconds ?? 6, spec)
        }
        guardWindows = Self.guardSignals(spec).map { ($0, Self.window(Self.guardSeconds(spec), spec)) }
        sizer = spec.objective.map { ObjectiveSizer(spec: $0, now: now) }
    }

    private static func window(_ seconds: Int, _ spec: PolicySpec) -> TimeBucketWindow {
        TimeBucketWindow(seconds: seconds, unsampledSecondsReadAsZero: spec.unsampledSecondsReadAsZero)
    }

    /// Seconds a guard looks back: the first metric's panic window, but at least 6 s (Knative's default panic
    /// window), so that a short window (a 6 s stable window has a 1 s panic window) is not read in a second no
    /// scrape has reached yet.
    private static func guardSeconds(_ spec: PolicySpec) -> Int {
        max(spec.metrics.first?.panicWindowSeconds ?? 6, 6)
    }

    private static func guardSignals(_ spec: PolicySpec) -> [Signal] {
        var signals: [Signal] = []
        if spec.guards.kvCacheCeiling != nil { signals.append(.kvCacheUtilization) }
        if spec.guards.gpuMemoryCeiling != nil { signals.append(.gpuMemoryUtilization) }
        return signals.filter { s in !spec.metrics.contains { $0.signal == s } }
    }

    /// Whether the decider is in panic mode.
    public var inPanic: Bool { decider.inPanic }

    /// Replaces the policy, keeping the window history of every signal that stays (a rule
    /// reload must not forget load). Windows whose length changes start afresh.
    public mutating func update(spec newSpec: PolicySpec) {
        // A change of reading (Knative's zeros or no data) is a change of window: start afresh.
        let sameReading = newSpec.unsampledSecondsReadAsZero == spec.unsampledSecondsReadAsZero
        if !sameReading {
            guardWindows = []
            burstWindow = nil
        }
        var kept: [MetricWindows] = []
        for metric in newSpec.metrics {
            if sameReading, let i = spec.metrics.firstIndex(where: {
                $0.signal == metric.signal && $0.stableWindowSeconds == metric.stableWindowSeconds
                    && $0.panicWindowSeconds == metric.panicWindowSeconds
            }) {
                kept.append(windows[i])
            } else {
                kept.append(MetricWindows(stable: Self.window(metric.stableWindowSeconds, newSpec), panic: Self.window(metric.panicWindowSeconds, newSpec)))
            }
        }
        windows = kept
        let guardSignals = Self.guardSignals(newSpec)
        guardWindows = guardSignals.map { signal in
            guardWindows.first { $0.signal == signal } ?? (signal, Self.window(Self.guardSeconds(newSpec), newSpec))
        }
        if newSpec.metrics.contains(where: { $0.signal == .concurrency || $0.signal == .rps }) {
            burstWindow = nil
        } else if burstWindow == nil {
            burstWindow = Self.window(newSpec.metrics.first?.panicWindowSeconds ?? 6, newSpec)
        }
        spec = newSpec
        decider.update(spec: newSpec.decider)
        if let objective = newSpec.objective {
            // An objective added by a reload measures the start of every ready pod it sees.
            if sizer == nil { sizer = ObjectiveSizer(spec: objective, now: Timestamp(nanoseconds: 0)) } else { sizer!.update(spec: objective) }
        } else {
            sizer = nil
        }
    }

    /// Records one sample; signals missing from it are not recorded (and never read as 0).
    public mutating func record(_ sample: SignalSample, at time: Timestamp) {
        sizer?.record(sample)
        for i in spec.metrics.indices {
            guard let value = sample[spec.metrics[i].signal] else { continue }
            windows[i].stable.record(value, at: time)
            windows[i].panic.record(value, at: time)
        }
        if burstWindow != nil, let c = sample[.concurrency] { burstWindow!.record(c, at: time) }
        for i in guardWindows.indices {
            if let v = sample[guardWindows[i].signal] { guardWindows[i].window.record(v, at: time) }
        }
    }

    /// Records the per-pod GPU memory of one scrape: the GPU-memory guard estimates a scale-down from it, and
    /// decision records carry it. Figures older than the guard's look-back (the first metric's panic window, at
    /// least 6 s) are not used.
    public mutating func record(gpuMemory figures: GPUMemoryFigures, at time: Timestamp) {
        if let last = gpuMemory, last.at > time { return }
        gpuMemory = (figures, time)
    }

    /// The per-pod GPU memory if it is recent enough to stand for the pods now.
    func freshGPUMemory(at now: Timestamp) -> GPUMemoryFigures? {
        guard let (figures, at) = gpuMemory else { return nil }
        let maxAge = Int64(Self.guardSeconds(spec)) * 1_000_000_000
        return now.nanoseconds - at.nanoseconds <= maxAge ? figures : nil
    }

    /// One evaluation at `now`.
    public mutating func evaluate(pods: PodCounts, at now: Timestamp) -> DecisionRecord {
        if sizer != nil { return evaluateObjective(pods: pods, at: now) }
        let ready = max(1, Double(pods.ready))
        var inputs: [DecisionRecord.MetricInput] = []
        var missing: [Signal] = []
        var rawStable: Double?
        var rawPanic: Double?
        var stableWinner: Signal?
        var panicWinner: Signal?
        var burstPanic = 0.0
        let hasConcurrency = spec.metrics.contains { $0.signal == .concurrency }

        for (i, metric) in spec.metrics.enumerated() {
            var input = DecisionRecord.MetricInput(signal: metric.signal, stable: nil, panic: nil, target: metric.target,
                                                   stablePods: nil, panicPods: nil, panicOnly: metric.panicOnly)
            // With the activator always in the path (burst capacity −1) it reports every
            // request, so an empty window means no load, as in Knative.
            if windows[i].stable.isEmpty(at: now) && spec.decider.targetBurstCapacity != -1 {
                missing.append(metric.signal)
                inputs.append(input)
                continue
            }
            let s = windows[i].stable.average(at: now, algorithm: metric.aggregation)
            let p = windows[i].panic.average(at: now, algorithm: metric.aggregation)
            // Utilisations are per-pod means: the pods needed scale with the ready pods.
            let scale = metric.signal.isAdditive ? 1 : ready
            let sp = (s * scale / metric.target).rounded(.up)
            let pp = (p * scale / metric.target).rounded(.up)
            input.stable = s
            input.panic = p
            input.stablePods = sp
            input.panicPods = pp
            inputs.append(input)
            // Knative computes the burst capacity from the scaling metric's panic value, even
            // for rps; concurrency is preferred when the policy has it.
            if metric.signal == .concurrency || (metric.signal == .rps && !hasConcurrency) { burstPanic = p }
            if !metric.panicOnly && sp > (rawStable ?? -1) {
                rawStable = sp
                stableWinner = metric.signal
            }
            if pp > (rawPanic ?? -1) {
                rawPanic = pp
                panicWinner = metric.signal
            }
        }
        if let burstWindow { burstPanic = burstWindow.linearAverage(at: now) }

        var record = DecisionRecord(
            target: target, time: Double(now.nanoseconds) / 1e9, readyPods: pods.ready, currentReplicas: pods.currentReplicas,
            inputs: inputs, winner: nil, clamps: [], desired: -1, valid: false, inPanic: decider.inPanic,
            excessBurstCapacity: 0, missingSignals: missing)
        record.gpuMemory = freshGPUMemory(at: now)
        guard let panicCount = rawPanic else { return record }  // no signal at all: keep the last decision
        return decide(record, stable: rawStable ?? 0, panic: panicCount, winners: (stableWinner, panicWinner), burstPanic: burstPanic,
                      missing: missing, pods: pods, at: now)
    }

    /// The decider's steps on the raw counts (rate limits, panic, delay), then the guards and
    /// bounds, each recorded as a clamp; `winners` are the signals behind the stable and the panic count.
    mutating func decide(_ input: DecisionRecord, stable stableCount: Double, panic panicCount: Double, winners: (stable: Signal?, panic: Signal?),
                         burstPanic: Double, missing: [Signal], pods: PodCounts, at now: Timestamp) -> DecisionRecord {
        var record = input
        let gpuFigures = record.gpuMemory

        let result = decider.evaluate(readyPods: pods.ready, rawStablePods: stableCount, rawPanicPods: panicCount,
                                      observation: Observation(stable: 0, panic: burstPanic), now: now)
        guard let details = result.details else { return record }
        record.valid = true
        record.inPanic = details.inPanic
        record.excessBurstCapacity = result.excessBurstCapacity

        // Explain the decider's steps in order.
        var clamps: [DecisionRecord.Clamp] = []
        let rawChosen = Int32(clamping: Int64(details.inPanic ? max(stableCount, panicCount) : stableCount))
        let limited = details.inPanic ? max(details.stablePods, details.panicPods) : details.stablePods
        if limited != rawChosen {
            let step = spec.decider.activationScale > 1 && limited == spec.decider.activationScale ? "activation-scale" : "rate-limit"
            clamps.append(.init(step: step, from: rawChosen, to: limited,
                                detail: step == "rate-limit" ? "within [\(Int(details.maxScaleDown)), \(Int(details.maxScaleUp))] for \(pods.ready) ready pods" : "least pods under load"))
        }
        let beforeDelay = details.undelayedPods ?? result.desiredPodCount
        if details.inPanic && beforeDelay > limited {
            clamps.append(.init(step: "panic-hold", from: limited, to: beforeDelay, detail: "no scale-down in panic"))
        }
        if let undelayed = details.undelayedPods {
            clamps.append(.init(step: "scale-down-delay", from: undelayed, to: result.desiredPodCount,
                                detail: "highest count of the last \(spec.decider.scaleDownDelaySeconds)s"))
        }
        record.winner = details.inPanic && panicCount > stableCount ? winners.panic : (winners.stable ?? winners.panic)

        var desired = result.desiredPodCount
        let current = Int32(clamping: pods.currentReplicas)
        func clamp(_ step: String, _ to: Int32, _ detail: String) {
            if to != desired {
                clamps.append(.init(step: step, from: desired, to: to, detail: detail))
                desired = to
            }
        }
        if !missing.isEmpty && desired < current {
            clamp("missing-signal", current, "holding \(current): no data for \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        let guards = spec.guards
        if guards.holdWhilePodsStart && desired < current {
            if pods.notReady > 0 {
                clamp("guard:pods-starting", current, "\(pods.notReady) pods not ready")
            } else if let age = pods.youngestReadyAgeSeconds, age < guards.coldStartSeconds {
                clamp("guard:pods-starting", current, "youngest pod ready for \(Int(age))s < cold start \(Int(guards.coldStartSeconds))s")
            }
        }
        if let ceiling = guards.gpuMemoryCeiling, desired < pods.ready, desired > 0, let figures = gpuFigures,
           figures.missing.isEmpty, figures.pods.count == pods.ready {
            // Every ready pod has a reading: the leaving pods' memory is spread over those that stay.
            let (needed, estimate) = figures.replicasNeeded(from: Int(desired), ceiling: ceiling)
            if needed > desired {
                let leaving = figures.estimatedMax(keeping: Int(desired)).map(percent) ?? "?"
                let kept = estimate.map { ", \(percent($0)) on \(needed)" } ?? ""
                clamp("guard:gpu-memory", Int32(needed),
                      "GPU memory per pod \(figures.pods.map { percent($0.max) }.joined(separator: " ")) would reach \(leaving) on \(desired) (ceiling \(percent(ceiling))\(kept))")
            }
        }
        let perPodGPU = gpuFigures.map { $0.missing.isEmpty && $0.pods.count == pods.ready } ?? false
        for (signal, ceiling, name) in [(Signal.kvCacheUtilization, guards.kvCacheCeiling, "kv-cache"), (.gpuMemoryUtilization, guards.gpuMemoryCeiling, "gpu-memory")] {
            if signal == .gpuMemoryUtilization && perPodGPU { continue }
            // Noted whether or not a scale-down is asked for now, so the loop can report a guard that never reads.
            if ceiling != nil && pods.ready > 0 && currentMean(of: signal, at: now) == nil {
                record.guardsWithoutReadings = (record.guardsWithoutReadings ?? []) + [name]
            }
            guard let ceiling, desired < pods.ready, desired >= 0 else { continue }
            guard let use = currentMean(of: signal, at: now) else {
                // A ceiling guard with no reading at all cannot vouch for the pods that stay (an exporter or runtime
                // not read yet, every reading missing): both guards hold, as a missing metric does, since passing
                // could scale into a full cache or GPU. Zero leaves no pod to overfill.
                if desired > 0 {
                    clamp("guard:\(name)", Int32(pods.ready), DecisionRecord.noReadingDetail(guard: name, holding: pods.ready))
                }
                continue
            }
            // Load moves to the remaining pods: their mean use rises by ready ÷ desired.
            let needed = Int32(min(Double(pods.ready), (use * Double(pods.ready) / ceiling).rounded(.up)))
            if needed > desired {
                clamp("guard:\(name)", needed, "\(name) use \(percent(use)) on \(pods.ready) pods would exceed \(percent(ceiling)) on fewer")
            }
        }
        var bounded = desired
        if desired < spec.minReplicas { bounded = spec.minReplicas }
        if spec.maxReplicas > 0 && desired > spec.maxReplicas { bounded = spec.maxReplicas }
        clamp("bounds", bounded, "min \(spec.minReplicas), max \(spec.maxReplicas == 0 ? "unbounded" : "\(spec.maxReplicas)")")

        record.clamps = clamps
        record.desired = desired
        return record
    }

    /// The latest stable-window mean of a utilisation signal, from a metric or nil.
    private func currentMean(of signal: Signal, at now: Timestamp) -> Double? {
        if let i = spec.metrics.firstIndex(where: { $0.signal == signal }) {
            guard !windows[i].stable.isEmpty(at: now) else { return nil }
            return windows[i].panic.isEmpty(at: now) ? windows[i].stable.linearAverage(at: now) : windows[i].panic.linearAverage(at: now)
        }
        guard let g = guardWindows.first(where: { $0.signal == signal }), !g.window.isEmpty(at: now) else { return nil }
        return g.window.linearAverage(at: now)
    }

    private func percent(_ f: Double) -> String { "\(Int((f * 100).rounded()))%" }
}
