/// The HPA-style baseline: Kubernetes' HorizontalPodAutoscaler algorithm on the mean
/// concurrency per ready pod. Facts from the Kubernetes documentation
/// (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/): desired =
/// ceil(current × metric ÷ target), no change within a 10 % tolerance, a 15 s sync period, a
/// 300 s scale-down stabilisation window (the highest recommendation of the last 300 s wins),
/// scale-up limited per period to the larger of 4 pods and 100 %, and at least one replica.
struct HPAController {
    var target: Double
    var minReplicas = 1
    var maxReplicas = 0
    var syncSeconds = 15.0
    var tolerance = 0.1
    var stabilisationSeconds = 300.0

    private var lastSync = -Double.infinity
    private var recommendations: [(time: Double, replicas: Int)] = []
    /// Concurrency samples (revision totals) since the last sync.
    private var samples: [Double] = []

    init(target: Double, minReplicas: Int = 1, maxReplicas: Int = 0) {
        self.target = target
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }

    mutating func record(concurrency: Double?) {
        if let c = concurrency { samples.append(c) }
    }

    /// The replicas to set at `now`, or nil between syncs or without data.
    mutating func decide(now: Double, current: Int, ready: Int) -> Int? {
        guard now - lastSync >= syncSeconds else { return nil }
        lastSync = now
        defer { samples.removeAll(keepingCapacity: true) }
        guard !samples.isEmpty, ready > 0 else { return current < minReplicas ? minReplicas : nil }
        let perPod = samples.reduce(0, +) / Double(samples.count) / Double(ready)
        let ratio = perPod / target
        var proposal = current
        if abs(ratio - 1) > tolerance { proposal = Int((Double(ready) * ratio).rounded(.up)) }
        proposal = min(proposal, max(current * 2, current + 4))
        recommendations.append((now, proposal))
        recommendations.removeAll { now - $0.time > stabilisationSeconds }
        var desired = proposal
        if proposal < current { desired = min(current, recommendations.map(\.replicas).max() ?? proposal) }
        desired = max(desired, minReplicas)
        if maxReplicas > 0 { desired = min(desired, maxReplicas) }
        return desired
    }
}
