import Foundation
import Testing
@testable import Rules

/// A rule written by `RuleWriter` reads back as the same rule.
@Suite struct RuleWriterTests {
    static let rulesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("rules").path

    /// The rule without where it was written.
    static func stripped(_ rule: Rule) -> Rule {
        var r = rule
        let nowhere = SourceLocation(file: "", line: 0, column: 0)
        r.location = nowhere
        r.policy.locations = [:]
        r.source.metricNameLocations = [:]
        for i in r.policy.metrics.indices { r.policy.metrics[i].location = nowhere }
        return r
    }

    @Test func everyExampleRuleRoundTrips() throws {
        let set = try RuleFiles.load(paths: [Self.rulesDirectory])
        #expect(set.rules.count >= 6)
        for rule in set.rules {
            let text = RuleWriter.file([rule], comment: "written back\n\nfor a test")
            let back = try RuleParser(file: "back.yaml").parse(text)
            #expect(back.count == 1)
            #expect(back.first.map(Self.stripped) == Self.stripped(rule), "\(rule.name):\n\(text)")
        }
    }

    @Test func everyFieldRoundTrips() throws {
        let yaml = """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: "all: \\"fields\\""
                match:
                  namespace: ns
                  labels: {a: "1", "b/c": "x y"}
                  inferenceService: isvc
                  role: decode
                source:
                  runtime: sglang
                  port: 30000
                  path: /m
                  queueProxy: false
                  push: true
                  pushCeiling: 250.5
                  metricNames: {queue-depth: "sglang:num_queue_reqs"}
                policy:
                  metrics:
                    - {signal: queue-depth, target: 2.5, window: 30s, panicWindow: 6s, panicOnly: false, aggregation: weighted-exponential}
                    - {signal: kv-cache-utilization, target: 0.7, panicOnly: true}
                  window: 90s
                  panicWindowPercentage: 12.5
                  panicThresholdPercentage: 150
                  maxScaleUpRate: 3
                  maxScaleDownRate: 1.5
                  minReplicas: 0
                  maxReplicas: 9
                  initialReplicas: 2
                  scaleDownDelay: 2m
                  activationScale: 2
                  targetBurstCapacity: -1
                  containerConcurrency: 8
                  coldStart: 1.5s
                  aggregation: linear
                  scaleToZero: {enabled: true, gracePeriod: 45s, podRetention: 250ms}
                  guards: {holdWhilePodsStart: true, kvCacheCeiling: 0.9, gpuMemoryCeiling: 0.95}
            """
        let rule = try #require(try RuleParser(file: "all.yaml").parse(yaml).first)
        let text = RuleWriter.file([rule])
        let back = try #require(try RuleParser(file: "back.yaml").parse(text).first)
        #expect(Self.stripped(back) == Self.stripped(rule), "\(text)")
        #expect(text.contains("scaleDownDelay: 120s") && text.contains("podRetention: 250ms") && text.contains("coldStart: 1500ms"))
    }
}
