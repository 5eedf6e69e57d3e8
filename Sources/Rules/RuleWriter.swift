import Scaling

/// Renders rules as a rule file (YAML) that `RuleParser` reads back to the same rules, so a
/// rule that a program chose (`inferscale tune`) can be written, linted and put in force as
/// it was replayed. Keys follow `RuleSchema`; fields a rule leaves unset are left out, so
/// they keep their defaults.
public enum RuleWriter {
    /// A whole file: `comment` (each line prefixed with `# `), then the header and `rules`.
    public static func file(_ rules: [Rule], comment: String? = nil) -> String {
        var out = ""
        if let comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
                out += line.isEmpty ? "#\n" : "# \(line)\n"
            }
        }
        out += "apiVersion: inferscale.dev/v1\nkind: ScalingRules\nrules:\n"
        for rule in rules { out += entry(rule) }
        return out
    }

    /// One `- name:` entry of the `rules` list.
    static func entry(_ rule: Rule) -> String {
        var lines = ["  - name: \(quoted(rule.name))"]
        let m = rule.match
        var match: [String] = []
        if let v = m.namespace { match.append("namespace: \(quoted(v))") }
        if !m.labels.isEmpty {
            match.append("labels:")
            for (k, v) in m.labels.sorted(by: { $0.key < $1.key }) { match.append("  \(quoted(k)): \(quoted(v))") }
        }
        if let v = m.inferenceService { match.append("inferenceService: \(quoted(v))") }
        if let v = m.deployment { match.append("deployment: \(quoted(v))") }
        if let v = m.llmInferenceService { match.append("llmInferenceService: \(quoted(v))") }
        if let v = m.role { match.append("role: \(quoted(v))") }
        section("match", match, into: &lines)

        let s = rule.source
        var source: [String] = []
        if let v = s.runtime { source.append("runtime: \(v.rawValue)") }
        if let v = s.port { source.append("port: \(v)") }
        if let v = s.path { source.append("path: \(quoted(v))") }
        if let v = s.queueProxy { source.append("queueProxy: \(v)") }
        if let v = s.push { source.append("push: \(v)") }
        if let v = s.pushCeiling { source.append("pushCeiling: \(number(v))") }
        if !s.metricNames.isEmpty {
            source.append("metricNames:")
            for (k, v) in s.metricNames.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { source.append("  \(k.rawValue): \(quoted(v))") }
        }
        section("source", source, into: &lines)
        section("policy", policy(rule.policy), into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    static func policy(_ p: Rule.Policy) -> [String] {
        var out: [String] = []
        if !p.metrics.isEmpty {
            out.append("metrics:")
            for m in p.metrics {
                out.append("  - signal: \(m.signal.rawValue)")
                out.append("    target: \(number(m.target))")
                if let v = m.windowSeconds { out.append("    window: \(v)s") }
                if let v = m.panicWindowSeconds { out.append("    panicWindow: \(v)s") }
                if m.panicOnly { out.append("    panicOnly: true") }
                if let v = m.aggregation { out.append("    aggregation: \(v.rawValue)") }
            }
        }
        if let o = p.objective {
            out.append("objective:")
            out.append("  ttft: \(duration(o.ttftSeconds))")
            if let v = o.quantile { out.append("  quantile: \(number(v))") }
            if let v = o.tpotSeconds { out.append("  tpot: \(duration(v))") }
            if let v = o.historySeconds { out.append("  history: \(duration(v))") }
        }
        if let v = p.windowSeconds { out.append("window: \(v)s") }
        if let v = p.panicWindowPercentage { out.append("panicWindowPercentage: \(number(v))") }
        if let v = p.panicThresholdPercentage { out.append("panicThresholdPercentage: \(number(v))") }
        if let v = p.maxScaleUpRate { out.append("maxScaleUpRate: \(number(v))") }
        if let v = p.maxScaleDownRate { out.append("maxScaleDownRate: \(number(v))") }
        if let v = p.minReplicas { out.append("minReplicas: \(v)") }
        if let v = p.maxReplicas { out.append("maxReplicas: \(v)") }
        if let v = p.initialReplicas { out.append("initialReplicas: \(v)") }
        if let v = p.scaleDownDelaySeconds { out.append("scaleDownDelay: \(v)s") }
        if let v = p.activationScale { out.append("activationScale: \(v)") }
        if let v = p.targetBurstCapacity { out.append("targetBurstCapacity: \(number(v))") }
        if let v = p.containerConcurrency { out.append("containerConcurrency: \(v)") }
        if let v = p.coldStartSeconds { out.append("coldStart: \(duration(v))") }
        if let v = p.aggregation { out.append("aggregation: \(v.rawValue)") }
        var zero: [String] = []
        if let v = p.scaleToZeroEnabled { zero.append("enabled: \(v)") }
        if let v = p.scaleToZeroGraceSeconds { zero.append("gracePeriod: \(duration(v))") }
        if let v = p.scaleToZeroRetentionSeconds { zero.append("podRetention: \(duration(v))") }
        section("scaleToZero", zero, into: &out, indent: "")
        var guards: [String] = []
        if let v = p.holdWhilePodsStart { guards.append("holdWhilePodsStart: \(v)") }
        if let v = p.kvCacheCeiling { guards.append("kvCacheCeiling: \(number(v))") }
        if let v = p.gpuMemoryCeiling { guards.append("gpuMemoryCeiling: \(number(v))") }
        section("guards", guards, into: &out, indent: "")
        return out
    }

    /// `key:` and its lines one level deeper; nothing when there are no lines.
    private static func section(_ key: String, _ body: [String], into lines: inout [String], indent: String = "    ") {
        guard !body.isEmpty else { return }
        lines.append(indent + key + ":")
        lines += body.map { indent + "  " + $0 }
    }

    /// Whole numbers without a fraction; others as the shortest text that reads back the same.
    public static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// Go duration text that the parser reads back to the same seconds (whole milliseconds).
    static func duration(_ seconds: Double) -> String {
        if seconds == seconds.rounded() { return "\(Int64(seconds))s" }
        return "\(Int64((seconds * 1000).rounded()))ms"
    }

    /// A YAML double-quoted scalar: safe for any label value, name or path.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += "\\x" + String(c.value, radix: 16).leftPadded(to: 2) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
