import Rules

/// The objective policy as `simulate --policy objective` replays it without a rule file: a
/// vLLM rule that states only an objective and at least one replica (rules/vllm-objective.yaml
/// holds the same rule). It runs through `ControlLoop` as every rule does.
public enum ObjectivePolicy {
    /// The policy's name in reports and `--policy`.
    public static let name = "objective"

    /// The built-in objective rule for a TTFT objective (seconds) and quantile.
    public static func rule(ttftSeconds: Double, quantile: Double) -> Rule {
        var source = Rule.Source()
        source.runtime = .vllm
        source.push = true
        var policy = Rule.Policy()
        policy.objective = Rule.Objective(ttftSeconds: ttftSeconds, quantile: quantile)
        policy.minReplicas = 1
        return Rule(name: name, location: SourceLocation(file: "built-in", line: 0, column: 0),
                    match: Rule.Match(namespace: "llm", labels: ["app.kubernetes.io/name": "llama-objective"]), source: source, policy: policy)
    }
}
