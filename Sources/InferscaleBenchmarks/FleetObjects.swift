import KubernetesTestKit

/// What the fake API server holds for a fleet run, and its rule: target t is the KServe InferenceService
/// `fleet/mt` (autoscaler class `external`), its Deployment `mt-predictor` at 2 replicas, and its two ready pods
/// `mt-0` and `mt-1` at pods 2t and 2t + 1's addresses. The rule wants 10 requests running per pod.
enum FleetObjects {
    static func put(targets n: Int, into api: FakeKubernetesAPIServer) {
        for t in 0..<n {
            api.put(.inferenceServices, namespace: "fleet", object: ["metadata": ["name": .string("m\(t)"), "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": ["minReplicas": 1]]])
            api.addDeployment(namespace: "fleet", name: "m\(t)-predictor", replicas: 2, matchLabels: ["app": "m\(t)"])
            for p in 0..<2 {
                api.setPod(namespace: "fleet", name: "m\(t)-\(p)", labels: ["app": "m\(t)"], podIP: FleetAddresses.ip(2 * t + p))
            }
        }
    }

    /// The fleet's rule file, for pods listening on `port`.
    static func rules(port: Int) -> String {
        """
        apiVersion: inferscale.dev/v1
        kind: ScalingRules
        rules:
          - name: fleet
            match: {namespace: fleet}
            source: {runtime: vllm, port: \(port), queueProxy: false}
            policy:
              metrics: [{signal: running, target: 10}]
              minReplicas: 1
              maxReplicas: 50

        """
    }
}

/// Makes pods of the fleet hostile: 1 % of the pods, one per target hit (half answer at 2.9 s, half drip-feed for
/// 10 s), or with `wholeTargets` that many whole targets spread evenly over the fleet (both pods of each: late,
/// dripping, late, …). Returns the targets with a hostile pod.
enum FleetHostility {
    static func apply(to pods: FleetPodServers, targets n: Int, hostile: Bool, wholeTargets: Int?) -> Set<Int> {
        guard hostile else { return [] }
        var hostileTargets: Set<Int> = []
        if let wanted = wholeTargets, wanted > 0 {
            let whole = min(wanted, n)
            for k in 0..<whole {
                let t = k * n / whole + n / (2 * whole)
                pods.send(k % 2 == 0 ? "delay" : "drip", [2 * t, 2 * t + 1], k % 2 == 0 ? 2.9 : 10)
                hostileTargets.insert(t)
            }
        } else {
            for (k, pod) in stride(from: 50, to: 2 * n, by: 100).enumerated() {
                pods.send(k % 2 == 0 ? "delay" : "drip", [pod], k % 2 == 0 ? 2.9 : 10)
                hostileTargets.insert(pod / 2)
            }
        }
        return hostileTargets
    }
}
