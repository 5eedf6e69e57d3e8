import Foundation
import Scaling
import Testing
@testable import Rules

@Suite struct ResolvedPolicyTests {
    private func rule(_ yaml: String) throws -> Rule {
        try #require(try RuleParser(file: "r.yaml").parse(yaml).first)
    }

    @Test func withoutARuleTheTargetGetsKnativesDefaults() throws {
        let resolved = try ResolvedPolicy.resolve(rule: nil, target: TargetDescription(namespace: "a", deployment: "b"))
        #expect(resolved.spec == PolicySpec(kpa: try KPAPolicy()))
        #expect(resolved.ruleName == nil)
    }

    /// The annotations a real InferenceService carries: kubectl's last-applied configuration, KServe's
    /// webhook and class annotations, a user's own. None is Knative's, so none can cost the target its policy.
    static let clusterAnnotations = [
        "kubectl.kubernetes.io/last-applied-configuration": #"{"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService"}"#,
        "serving.kserve.io/deploymentMode": "Standard",
        "serving.kserve.io/autoscalerClass": "external",
        "team.example.com/owner": "ml-platform",
        "deployment.kubernetes.io/revision": "3",
    ]

    @Test func annotationsOfOtherProductsAreIgnored() throws {
        let target = TargetDescription(namespace: "llm", deployment: "chat-predictor", inferenceService: "chat",
                                       annotations: Self.clusterAnnotations, minReplicas: 1, maxReplicas: 8)
        let resolved = try ResolvedPolicy.resolve(rule: nil, target: target)
        #expect(resolved.spec.minReplicas == 1)
        #expect(resolved.spec.maxReplicas == 8)
        #expect(resolved.spec.metrics.first?.signal == .concurrency)
    }

    @Test func knativeAnnotationsBesideOthersStillApply() throws {
        var annotations = Self.clusterAnnotations
        annotations["autoscaling.knative.dev/window"] = "30s"
        annotations["autoscaling.knative.dev/metric"] = "rps"
        let resolved = try ResolvedPolicy.resolve(rule: nil, target: TargetDescription(namespace: "llm", deployment: "d", annotations: annotations))
        #expect(resolved.spec.metrics.first?.signal == .rps)
        #expect(resolved.spec.metrics.first?.stableWindowSeconds == 30)
    }

    /// Knative's validation refuses an unknown key inside its own prefix; so does inferscale, naming the key.
    @Test func unknownKeyInsideTheKnativePrefixIsAnError() throws {
        var annotations = Self.clusterAnnotations
        annotations["autoscaling.knative.dev/windw"] = "30s"
        #expect {
            _ = try ResolvedPolicy.resolve(rule: nil, target: TargetDescription(namespace: "llm", deployment: "d", annotations: annotations))
        } throws: { error in
            "\(error)".contains("autoscaling.knative.dev/windw") && "\(error)".contains("llm/d")
        }
    }

    /// A bare key (no prefix) on an object is not Knative's either: only `decide --annotation` takes bare keys.
    @Test func bareKeysOnObjectsAreNotKnativeKeys() throws {
        let resolved = try ResolvedPolicy.resolve(rule: nil, target: TargetDescription(namespace: "llm", deployment: "d", annotations: ["window": "nonsense"]))
        #expect(resolved.spec.metrics.first?.stableWindowSeconds == 60)
    }

    @Test func inferenceServiceFieldsAndAnnotationsAreDefaultsBeneathTheRule() throws {
        let target = TargetDescription(
            namespace: "llm", deployment: "chat-predictor", inferenceService: "chat",
            annotations: ["autoscaling.knative.dev/window": "30s", "autoscaling.knative.dev/panic-threshold-percentage": "300"],
            minReplicas: 2, maxReplicas: 6, scaleMetric: "concurrency", scaleTarget: 20, containerConcurrency: 10)
        let plain = try ResolvedPolicy.resolve(rule: nil, target: target)
        #expect(plain.spec.minReplicas == 2)
        #expect(plain.spec.maxReplicas == 6)
        #expect(plain.spec.metrics.first?.target == 7)  // min(20, containerConcurrency 10) × 0.7
        #expect(plain.spec.metrics.first?.stableWindowSeconds == 30)
        #expect(plain.spec.decider.panicThreshold == 3)

        let ruled = try ResolvedPolicy.resolve(rule: try rule("""
            rules:
              - name: chat
                policy:
                  maxReplicas: 9
                  panicThresholdPercentage: 150
            """), target: target)
        #expect(ruled.ruleName == "chat")
        #expect(ruled.spec.minReplicas == 2)      // from the InferenceService
        #expect(ruled.spec.maxReplicas == 9)      // the rule wins
        #expect(ruled.spec.decider.panicThreshold == 1.5)
        #expect(ruled.scaling.maxScale == 9)
    }

    @Test func hpaMetricsAreNotScaledByInferscale() {
        #expect(throws: RuleErrors.self) {
            try ResolvedPolicy.resolve(rule: nil, target: TargetDescription(namespace: "a", deployment: "b", scaleMetric: "cpu"))
        }
    }

    @Test func oneConcurrencyMetricWithKnativeDefaultsIsTheKPAPolicy() throws {
        let resolved = try ResolvedPolicy.resolve(rule: try rule("""
            rules:
              - name: kpa-like
                policy:
                  metrics:
                    - signal: concurrency
                      target: 70
            """), target: TargetDescription(namespace: "a", deployment: "b"))
        let kpa = try KPAPolicy()
        #expect(resolved.spec == PolicySpec(kpa: kpa))
        // And it decides as the plain KPA decider, tick for tick.
        var windows = kpa.makeMetricCollection()
        var decider = Decider(spec: kpa.decider, readyPods: 1, now: Timestamp(seconds: 0))
        var policy = PolicyDecider(spec: resolved.spec, readyPods: 1, now: Timestamp(seconds: 0))
        for s in 0..<400 {
            let load = Double((s * 37) % 500) * (s > 200 ? 0.1 : 1)
            let now = Timestamp(seconds: Int64(s))
            windows.record(Stat(averageConcurrentRequests: load), at: now)
            policy.record(SignalSample([.concurrency: load]), at: now)
            guard s % 2 == 0 else { continue }
            let ready = 1 + (s / 20) % 7
            let a = decider.evaluate(readyPods: ready, observation: windows.observation(of: .concurrency, at: now), now: now)
            let b = policy.evaluate(pods: PodCounts(ready: ready), at: now)
            #expect(a.desiredPodCount == b.desired)
            #expect(a.excessBurstCapacity == b.excessBurstCapacity)
        }
    }

    @Test func metricWindowsFollowThePolicyWindowAndPercentage() throws {
        let resolved = try ResolvedPolicy.resolve(rule: try rule("""
            rules:
              - name: w
                policy:
                  window: 120s
                  panicWindowPercentage: 5
                  metrics:
                    - signal: queue-depth
                      target: 2
                    - signal: rps
                      target: 10
                      window: 30s
            """), target: TargetDescription(namespace: "a", deployment: "b"))
        #expect(resolved.spec.metrics.map(\.stableWindowSeconds) == [120, 30])
        #expect(resolved.spec.metrics.map(\.panicWindowSeconds) == [6, 2])  // 5 % of 120 s; 5 % of 30 s = 1.5 → 2
    }
}

@Suite struct RuleReloadTests {
    private func files(_ text: String) -> Result<[RuleFiles.File], RuleErrors> {
        .success([RuleFiles.File(path: "rules.yaml", text: text)])
    }

    @Test func invalidFilesKeepTheLastGoodRules() throws {
        var machine = RuleReloadStateMachine()
        let good = "rules:\n  - name: a\n    policy: {maxReplicas: 3}\n"
        guard case .apply(let first) = machine.filesRead(files(good)) else { Issue.record("expected apply"); return }
        #expect(first.rules.map(\.name) == ["a"])
        #expect(machine.filesRead(files(good)) == .unchanged)
        guard case .reject(let errors) = machine.filesRead(files("rules:\n  - name: a\n    policy: {maxReplicas: -3}\n")) else {
            Issue.record("expected reject"); return
        }
        #expect(errors.errors.first?.line == 3)
        #expect(machine.current == first)
        guard case .apply(let next) = machine.filesRead(files("rules:\n  - name: b\n")) else { Issue.record("expected apply"); return }
        #expect(next.rules.map(\.name) == ["b"])
    }

    /// A ConfigMap volume: files are links into `..data`, which the kubelet swaps atomically.
    @Test func configMapVolumeUpdatesArePickedUp() async throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("inferscale-cm-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        func publish(_ version: String, _ text: String) throws {
            let versionDir = dir.appendingPathComponent("..\(version)")
            try fm.createDirectory(at: versionDir, withIntermediateDirectories: true)
            try text.write(to: versionDir.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
            let tmpLink = dir.appendingPathComponent("..data_tmp")
            try? fm.removeItem(at: tmpLink)
            try fm.createSymbolicLink(atPath: tmpLink.path, withDestinationPath: "..\(version)")
            // rename(2) replaces the old link atomically, as the kubelet does.
            #expect(rename(tmpLink.path, dir.appendingPathComponent("..data").path) == 0)
        }
        try publish("v1", "rules:\n  - name: first\n")
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("rules.yaml").path, withDestinationPath: "..data/rules.yaml")

        let applied = ActionLog()
        let reloader = RuleReloader(configuration: .init(paths: [dir.path]), initial: .empty) { await applied.add($0) }
        guard case .apply(let v1) = await reloader.poll() else { Issue.record("expected apply"); return }
        #expect(v1.rules.map(\.name) == ["first"])

        try publish("v2", "rules:\n  - name: second\n")
        guard case .apply(let v2) = await reloader.poll() else { Issue.record("expected apply"); return }
        #expect(v2.rules.map(\.name) == ["second"])

        try publish("v3", "rules:\n  - name: [broken\n")
        guard case .reject = await reloader.poll() else { Issue.record("expected reject"); return }
        #expect(await reloader.current.rules.map(\.name) == ["second"])
        #expect(await applied.count == 3)
    }
}

actor ActionLog {
    var actions: [RuleReloadStateMachine.Action] = []
    func add(_ a: RuleReloadStateMachine.Action) { actions.append(a) }
    var count: Int { actions.count }
}
