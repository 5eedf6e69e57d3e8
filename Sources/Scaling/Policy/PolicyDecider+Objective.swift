extension PolicyDecider {
    /// One evaluation of an objective policy: `ObjectiveSizer` gives the count, which goes to
    /// Knative's decider as both the stable and the panic count. The decider's rate limits
    /// and panic hold are reused as they are (a burst that doubles the count still enters
    /// panic and holds for a stable window); its scale-down delay is the rule's (0 by default:
    /// the sizer already holds capacity for one measured cold start). Guards and bounds follow.
    mutating func evaluateObjective(pods: PodCounts, at now: Timestamp) -> DecisionRecord {
        var record = DecisionRecord(
            target: target, time: Double(now.nanoseconds) / 1e9, readyPods: pods.ready, currentReplicas: pods.currentReplicas,
            inputs: [], winner: nil, clamps: [], desired: -1, valid: false, inPanic: decider.inPanic,
            excessBurstCapacity: 0, missingSignals: [])
        record.gpuMemory = freshGPUMemory(at: now)
        guard let estimate = sizer?.evaluate(pods: pods, at: now) else {
            record.missingSignals = [.promptTokensPerSecond]
            return record  // nothing measured yet: keep the last decision
        }
        record.objective = estimate
        let count = Double(estimate.count)
        let burst = burstWindow.map { $0.isEmpty(at: now) ? 0 : $0.linearAverage(at: now) } ?? 0
        return decide(record, stable: count, panic: count, winners: (nil, nil), burstPanic: burst, missing: [], pods: pods, at: now)
    }
}
