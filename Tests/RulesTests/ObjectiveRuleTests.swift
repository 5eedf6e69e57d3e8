import Scaling
import Testing
@testable import Rules

/// `policy.objective` parsed, resolved and linted like every rule field.
@Suite struct ObjectiveRuleTests {
    func parse(_ policy: String, runtime: String = "vllm") throws(RuleErrors) -> Rule {
        let yaml = """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: slo
                source: {runtime: \(runtime)}
                policy:
            \(policy.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
            """
        return try RuleParser(file: "t.yaml").parse(yaml)[0]
    }

    @Test func parsesAndResolves() throws {
        let rule = try parse("""
            objective: {ttft: 2s, quantile: 0.99, tpot: 50ms, history: 15m}
            coldStart: 90s
            minReplicas: 1
            """)
        #expect(rule.policy.objective == Rule.Objective(ttftSeconds: 2, quantile: 0.99, tpotSeconds: 0.05, historySeconds: 900))
        let resolved = try ResolvedPolicy.resolve(rule: rule, target: TargetDescription(namespace: "llm", deployment: "m"))
        #expect(resolved.spec.metrics.isEmpty)
        #expect(resolved.spec.objective == ObjectiveSpec(ttftSeconds: 2, quantile: 0.99, tpotSeconds: 0.05, historySeconds: 900,
                                                         coldStartPriorSeconds: 90))
        #expect(RuleLinter().lint(rule).isEmpty)
    }

    @Test func defaults() throws {
        let rule = try parse("objective: {ttft: 1500ms}")
        let spec = try ResolvedPolicy.resolve(rule: rule, target: TargetDescription(namespace: "llm", deployment: "m")).spec.objective
        #expect(spec == ObjectiveSpec(ttftSeconds: 1.5, quantile: 0.95, historySeconds: 600, coldStartPriorSeconds: 120))
    }

    @Test(arguments: [
        ("objective: {quantile: 0.9}", "policy.objective needs a ttft"),
        ("objective: {ttft: 0s}", "policy.objective.ttft must be a duration greater than 0s"),
        ("objective: {ttft: 2s, quantile: 1}", "policy.objective.quantile must be a share between 0.5 and 0.999"),
        ("objective: {ttft: 2s, history: 10s}", "policy.objective.history must be a duration between 1m and 1h"),
        ("objective: {ttft: 2s, p95: true}", "p95"),
    ])
    func rejects(_ policy: String, _ message: String) {
        #expect {
            _ = try parse(policy)
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("t.yaml:")
        }
    }

    @Test func lintWarnsAboutIgnoredMetricsAndRuntimesWithoutTokenCounts() throws {
        let both = try parse("""
            objective: {ttft: 2s}
            metrics:
              - {signal: concurrency, target: 4}
            """)
        #expect(RuleLinter().lint(both).map(\.message).contains { $0.contains("policy.metrics are not used") })
        let triton = try parse("objective: {ttft: 2s}", runtime: "triton")
        #expect(RuleLinter().lint(triton).map(\.message).contains { $0.contains("triton does not report prompt tokens processed") })
    }

    /// The example rule in rules/ states only an objective and lints clean.
    @Test func exampleRuleLintsClean() throws {
        let set = try RuleFiles.load(paths: [repositoryRoot.appendingPathComponent("rules/vllm-objective.yaml").path])
        #expect(set.rules.map(\.name) == ["objective"])
        #expect(set.rules[0].policy.objective?.ttftSeconds == 2)
        #expect(RuleLinter().lint(set).isEmpty)
    }
}
