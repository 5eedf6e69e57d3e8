import Foundation
import Scaling
import Testing
@testable import Rules

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func parse(_ yaml: String, file: String = "test.yaml") throws(RuleErrors) -> [Rule] {
    try RuleParser(file: file).parse(yaml)
}

@Suite struct RuleParserTests {
    @Test func parsesAFullRule() throws {
        let rules = try parse("""
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: chat
                match:
                  namespace: llm
                  labels: {app: chat}
                  inferenceService: chat
                source:
                  runtime: vllm
                  port: 8000
                  push: true
                  metricNames:
                    kv-cache-utilization: vllm:kv_cache_usage_perc
                policy:
                  metrics:
                    - signal: concurrency
                      target: 10
                    - signal: prompt-tokens-per-second
                      target: 8000
                      panicOnly: true
                      window: 30s
                      panicWindow: 3s
                  window: 90s
                  minReplicas: 1
                  maxReplicas: 4
                  scaleDownDelay: 2m
                  coldStart: 1m30s
                  scaleToZero: {enabled: false, gracePeriod: 45s}
                  guards: {holdWhilePodsStart: true, kvCacheCeiling: 0.9}
            """)
        let r = try #require(rules.first)
        #expect(r.name == "chat")
        #expect(r.location == SourceLocation(file: "test.yaml", line: 4, column: 5))
        #expect(r.match == Rule.Match(namespace: "llm", labels: ["app": "chat"], inferenceService: "chat"))
        #expect(r.source.runtime == .vllm)
        #expect(r.source.port == 8000)
        #expect(r.source.metricNames[.kvCacheUtilization] == "vllm:kv_cache_usage_perc")
        #expect(r.policy.metrics.map(\.signal) == [.concurrency, .promptTokensPerSecond])
        #expect(r.policy.metrics[1].panicOnly)
        #expect(r.policy.metrics[1].windowSeconds == 30)
        #expect(r.policy.metrics[1].panicWindowSeconds == 3)
        #expect(r.policy.windowSeconds == 90)
        #expect(r.policy.scaleDownDelaySeconds == 120)
        #expect(r.policy.coldStartSeconds == 90)
        #expect(r.policy.scaleToZeroEnabled == false)
        #expect(r.policy.scaleToZeroGraceSeconds == 45)
        #expect(r.policy.kvCacheCeiling == 0.9)
    }

    @Test(arguments: [
        ("rules:\n  - name: a\n    polcy: {}\n", "test.yaml:3:5: unknown key \"polcy\" in a rule; expected one of: name, match, source, policy"),
        // Found by the rules fuzz target: YAML breaks lines at a lone CR too, and positions count them.
        ("rules:\r  - name: a\r\r    polcy: {}\r", "test.yaml:4:5: unknown key \"polcy\" in a rule; expected one of: name, match, source, policy"),
        ("rules:\n  - name: a\n    policy:\n      window: 5s\n", "test.yaml:4:15: policy.window must be a duration between 6s and 1h in whole seconds such as 30s or 1m30s, got 5s"),
        ("rules:\n  - name: a\n    policy:\n      maxScaleDownRate: 1\n", "test.yaml:4:25: policy.maxScaleDownRate must be a number greater than 1, got 1"),
        ("rules:\n  - name: a\n    source:\n      port: 70000\n", "test.yaml:4:13: source.port must be a port number 1–65535, got 70000"),
        ("rules:\n  - name: a\n    source:\n      pushCeiling: 0\n", "test.yaml:4:20: source.pushCeiling must be a number above 0, got 0"),
        ("rules:\n  - name: a\n    policy:\n      metrics:\n        - signal: tokens\n          target: 1\n", "test.yaml:5:19: signal must be one of: concurrency, rps, queue-depth, running, prompt-tokens-per-second, generation-tokens-per-second, kv-cache-utilization, gpu-memory-utilization, got tokens"),
        ("rules:\n  - name: a\n    policy:\n      metrics:\n        - signal: rps\n", "test.yaml:5:11: a metric needs a target (per pod)"),
        ("rules:\n  - name: a\n    policy:\n      minReplicas: 3\n      maxReplicas: 2\n", "test.yaml:4:7: policy.maxReplicas (2) must be at least policy.minReplicas (3), or 0 for unbounded"),
        ("rules:\n  - match: {namespace: x}\n", "test.yaml:2:5: a rule needs a name"),
        ("apiVersion: v2\nrules: []\n", "test.yaml:1:13: apiVersion must be inferscale.dev/v1"),
        ("kind: ScalingRules\n", "test.yaml:1:1: a rule file needs a \"rules\" list"),
        ("rules:\n  - name: a\n    policy:\n      metrics:\n        - signal: kv-cache-utilization\n          target: 80\n", "test.yaml:5:11: target of kv-cache-utilization is a fraction of capacity and must be at most 1, got 80.0"),
    ])
    func errorMessagesAreExact(yaml: String, message: String) {
        #expect {
            try parse(yaml)
        } throws: { error in
            (error as? RuleErrors)?.errors.first?.description == message
        }
    }

    @Test func yamlSyntaxErrorsHaveAPosition() {
        #expect {
            try parse("rules:\n  - name: a\n    policy: {window: 60s\n")
        } throws: { error in
            guard let e = (error as? RuleErrors)?.errors.first else { return false }
            return e.line >= 3 && e.message.hasPrefix("invalid YAML")
        }
    }

    @Test func duplicateKeysAreRejected() {
        #expect {
            try parse("rules:\n  - name: a\n    name: b\n")
        } throws: { error in
            (error as? RuleErrors)?.errors.first?.message.contains("duplicate key name") == true
        }
    }

    @Test func everyProblemOfAFileIsReported() {
        #expect {
            try parse("rules:\n  - name: a\n    policy:\n      window: 1s\n      minReplicas: -1\n      nope: 2\n")
        } throws: { error in
            (error as? RuleErrors)?.errors.count == 3
        }
    }

    @Test func emptyFileHasNoRules() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("# only a comment\n").isEmpty)
    }

    @Test func shippedExampleRulesLintClean() throws {
        let set = try RuleFiles.load(paths: [repositoryRoot.appendingPathComponent("rules").path])
        #expect(set.rules.count >= 4)
        #expect(RuleLinter().lint(set).isEmpty)
    }
}

@Suite struct RuleSetTests {
    private func rule(_ name: String, _ match: Rule.Match, line: Int = 1) -> Rule {
        Rule(name: name, location: SourceLocation(file: "f.yaml", line: line, column: 5), match: match, source: .init(), policy: .init())
    }

    @Test func specificBeatsGeneral() throws {
        let set = try RuleSet([
            rule("all", .init()),
            rule("namespace", .init(namespace: "llm")),
            rule("labelled", .init(namespace: "llm", labels: ["app": "chat"])),
            rule("named", .init(deployment: "chat-predictor")),
        ])
        let target = TargetDescription(namespace: "llm", deployment: "chat-predictor", labels: ["app": "chat"])
        #expect(set.rule(for: target)?.name == "named")
        #expect(set.rule(for: TargetDescription(namespace: "llm", deployment: "other", labels: ["app": "chat"]))?.name == "labelled")
        #expect(set.rule(for: TargetDescription(namespace: "llm", deployment: "other"))?.name == "namespace")
        #expect(set.rule(for: TargetDescription(namespace: "default", deployment: "x"))?.name == "all")
        #expect(set.matchingRules(for: target).map(\.name) == ["named", "labelled", "namespace", "all"])
    }

    @Test func equalSpecificityOverlapIsAnError() {
        #expect {
            try RuleSet([rule("a", .init(labels: ["app": "x"]), line: 1), rule("b", .init(labels: ["tier": "gpu"]), line: 9)])
        } throws: { error in
            (error as? RuleErrors)?.errors.first?.description ==
                "f.yaml:9:5: rule \"b\" and rule \"a\" (f.yaml:1:5) can match the same target with equal specificity; make one more specific (a name, more labels or a namespace)"
        }
        // Disjoint matchers of equal specificity are fine.
        #expect(throws: Never.self) { try RuleSet([rule("a", .init(namespace: "x")), rule("b", .init(namespace: "y"))]) }
        #expect(throws: Never.self) { try RuleSet([rule("a", .init(labels: ["app": "x"])), rule("b", .init(labels: ["app": "y"]))]) }
    }

    @Test func namesMustBeUnique() {
        #expect(throws: RuleErrors.self) { try RuleSet([rule("a", .init(namespace: "x")), rule("a", .init(namespace: "y"))]) }
    }
}
