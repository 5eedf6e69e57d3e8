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
