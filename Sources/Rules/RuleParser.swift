import Scaling
import Yams

/// Parses one rule file (YAML) into rules, checking every key and value against
/// `RuleSchema`. All problems of a file are collected; any problem rejects the whole file.
public struct RuleParser: Sendable {
    /// The file name used in errors and locations.
    public let file: String

    public init(file: String) { self.file = file }

    /// Parses `text`. Throws `RuleErrors` with every problem found, each at file:line:column.
    public func parse(_ text: String) throws(RuleErrors) -> [Rule] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw RuleErrors([yamlError(error)])
        } catch {
            throw RuleErrors([RuleError(file: file, line: 0, column: 0, message: "cannot read YAML: \(error)")])
        }
        var context = Context(file: file)
        guard let root else { return [] }  // an empty file has no rules
        let rules = context.document(root)
        if !context.errors.isEmpty { throw RuleErrors(context.errors) }
        return rules
    }

    private func yamlError(_ error: YamlError) -> RuleError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return RuleError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return RuleError(file: file, line: context.mark.line, column: context.mark.column,
                             message: "duplicate key \(duplicates.joined(separator: ", ")): each key may appear once in a mapping")
        default:
            return RuleError(file: file, line: 0, column: 0, message: "invalid YAML: \(error)")
        }
    }
}

/// The walk over one document, collecting errors instead of stopping at the first.
private struct Context {
    let file: String
    var errors: [RuleError] = []

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    mutating func fail(_ node: Node, _ message: String) {
        let l = location(node)
        errors.append(RuleError(file: file, line: l.line, column: l.column, message: message))
    }

    /// The pairs of a mapping, after checking its keys against the schema at `path`.
    mutating func mapping(_ node: Node, _ path: String, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let map) = node else {
            fail(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        let allowed = RuleSchema.keys(under: path)
        var pairs: [(String, Node, Node)] = []
        for (k, v) in map {
            guard let key = k.scalar?.string else {
                fail(k, "keys must be plain strings")
                continue
            }
            guard allowed.contains(key) else {
                fail(k, "unknown key \"\(key)\" in \(what); expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            pairs.append((key, k, v))
        }
        return pairs
    }

    mutating func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let s) = node, !s.string.isEmpty else {
            fail(node, "\(what) must be a non-empty string")
            return nil
        }
        return s.string
    }

    mutating func bool(_ node: Node, _ what: String) -> Bool? {
        if case .scalar(let s) = node {
            switch s.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        fail(node, "\(what) must be true or false")
        return nil
    }

    mutating func number(_ node: Node, _ what: String, _ range: String, _ ok: (Double) -> Bool) -> Double? {
        if case .scalar(let s) = node, let v = Double(s.string), v.isFinite, ok(v) { return v }
        fail(node, "\(what) must be \(range), got \(node.scalar?.string ?? "a non-scalar")")
        return nil
    }

    mutating func integer(_ node: Node, _ what: String, _ range: String, _ ok: (Int) -> Bool) -> Int? {
        if case .scalar(let s) = node, let v = Int(s.string), ok(v) { return v }
        fail(node, "\(what) must be \(range), got \(node.scalar?.string ?? "a non-scalar")")
        return nil
    }

    /// A duration such as 30s, 1m30s or 2h, in seconds.
    mutating func seconds(_ node: Node, _ what: String, _ range: String, whole: Bool = false, _ ok: (Double) -> Bool) -> Double? {
        if case .scalar(let s) = node, let ns = RuleDuration.nanoseconds(s.string), !whole || ns % 1_000_000_000 == 0 {
            let v = Double(ns) / 1e9
            if ok(v) { return v }
        }
        fail(node, "\(what) must be a duration \(range)\(whole ? " in whole seconds" : "") such as 30s or 1m30s, got \(node.scalar?.string ?? "a non-scalar")")
        return nil
    }

    mutating func aggregation(_ node: Node, _ what: String) -> AggregationAlgorithm? {
        switch node.scalar?.string {
        case "linear": return .linear
        case "weighted-exponential", "weightedExponential": return .weightedExponential
        default:
            fail(node, "\(what) must be linear or weighted-exponential")
            return nil
        }
    }

    mutating func signal(_ node: Node, _ what: String) -> Signal? {
        if let s = node.scalar?.string, let signal = Signal(rawValue: s) { return signal }
        fail(node, "\(what) must be one of: \(Signal.allCases.map(\.rawValue).joined(separator: ", ")), got \(node.scalar?.string ?? "a non-scalar")")
        return nil
    }

    // MARK: The document

    mutating func document(_ root: Node) -> [Rule] {
        guard let pairs = mapping(root, "", what: "a rule file") else { return [] }
        var rules: [Rule] = []
        var sawRules = false
        for (key, _, value) in pairs {
            switch key {
            case "apiVersion":
                if value.scalar?.string != "inferscale.dev/v1" { fail(value, "apiVersion must be inferscale.dev/v1") }
            case "kind":
                if value.scalar?.string != "ScalingRules" { fail(value, "kind must be ScalingRules") }
            case "rules":
                sawRules = true
                guard case .sequence(let list) = value else {
                    fail(value, "rules must be a list of rules (each item starting with \"- name:\")")
                    continue
                }
                for item in list { if let rule = self.rule(item) { rules.append(rule) } }
            default: break
            }
        }
        if !sawRules { fail(root, "a rule file needs a \"rules\" list") }
        return rules
    }

    mutating func rule(_ node: Node) -> Rule? {
        guard let pairs = mapping(node, "rules[]", what: "a rule") else { return nil }
        var name: String?
        var rule = Rule(name: "", location: location(node), match: .init(), source: .init(), policy: .init())
        for (key, _, value) in pairs {
            switch key {
            case "name": name = string(value, "name")
            case "match": rule.match = match(value)
            case "source": rule.source = source(value)
            case "policy": rule.policy = policy(value)
            default: break
            }
        }
        guard let name else {
            if !pairs.contains(where: { $0.key == "name" }) { fail(node, "a rule needs a name") }
            return nil
        }
        rule.name = name
        return rule
    }

    mutating func match(_ node: Node) -> Rule.Match {
        var m = Rule.Match()
        guard let pairs = mapping(node, "rules[].match", what: "match") else { return m }
        for (key, _, value) in pairs {
            switch key {
            case "namespace": m.namespace = string(value, "match.namespace")
            case "inferenceService": m.inferenceService = string(value, "match.inferenceService")
            case "deployment": m.deployment = string(value, "match.deployment")
            case "llmInferenceService": m.llmInferenceService = string(value, "match.llmInferenceService")
            case "role":
                m.role = string(value, "match.role")
                if let role = m.role, !["prefill", "decode", "both"].contains(role) {
                    fail(value, "match.role must be prefill, decode or both, not \(role)")
                }
            case "labels":
                guard case .mapping(let labels) = value else {
                    fail(value, "match.labels must be a mapping of label names to values")
                    continue
                }
                for (k, v) in labels {
                    guard let lk = k.scalar?.string, let lv = v.scalar?.string else {
                        fail(k, "match.labels entries must be strings")
                        continue
                    }
                    m.labels[lk] = lv
                }
            default: break
            }
        }
        return m
    }

    mutating func source(_ node: Node) -> Rule.Source {
        var s = Rule.Source()
        guard let pairs = mapping(node, "rules[].source", what: "source") else { return s }
        for (key, _, value) in pairs {
            switch key {
            case "runtime":
                if let r = value.scalar?.string, let runtime = Rule.Runtime(rawValue: r) {
                    s.runtime = runtime
                } else {
                    fail(value, "source.runtime must be one of: \(Rule.Runtime.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            case "port": s.port = integer(value, "source.port", "a port number 1–65535") { (1...65535).contains($0) }
            case "path":
                if let p = string(value, "source.path") {
                    if p.hasPrefix("/") { s.path = p } else { fail(value, "source.path must start with /") }
                }
            case "queueProxy": s.queueProxy = bool(value, "source.queueProxy")
            case "push": s.push = bool(value, "source.push")
            case "pushCeiling": s.pushCeiling = number(value, "source.pushCeiling", "a number above 0") { $0 > 0 }
            case "metricNames":
                guard case .mapping(let names) = value else {
                    fail(value, "source.metricNames must map signals to metric names")
                    continue
                }
                for (k, v) in names {
                    guard let signal = signal(k, "a source.metricNames key") else { continue }
                    guard let name = string(v, "source.metricNames.\(signal.rawValue)") else { continue }
                    s.metricNames[signal] = name
                    s.metricNameLocations[signal] = location(v)
                }
            default: break
            }
        }
        return s
    }

    mutating func policy(_ node: Node) -> Rule.Policy {
        var p = Rule.Policy()
        guard let pairs = mapping(node, "rules[].policy", what: "policy") else { return p }
        for (key, keyNode, value) in pairs {
            p.locations[key] = location(keyNode)
            switch key {
            case "metrics":
                guard case .sequence(let list) = value else {
                    fail(value, "policy.metrics must be a list of metrics (each item starting with \"- signal:\")")
                    continue
                }
                for item in list { if let m = metric(item) { p.metrics.append(m) } }
            case "window":
                p.windowSeconds = seconds(value, "policy.window", "between 6s and 1h", whole: true) { $0 >= 6 && $0 <= 3600 }.map { Int($0) }
            case "panicWindowPercentage":
                p.panicWindowPercentage = number(value, "policy.panicWindowPercentage", "a number between 1 and 100") { $0 >= 1 && $0 <= 100 }
            case "panicThresholdPercentage":
                p.panicThresholdPercentage = number(value, "policy.panicThresholdPercentage", "a number between 110 and 1000") { $0 >= 110 && $0 <= 1000 }
            case "maxScaleUpRate": p.maxScaleUpRate = number(value, "policy.maxScaleUpRate", "a number greater than 1") { $0 > 1 }
            case "maxScaleDownRate": p.maxScaleDownRate = number(value, "policy.maxScaleDownRate", "a number greater than 1") { $0 > 1 }
            case "minReplicas": p.minReplicas = integer(value, "policy.minReplicas", "a whole number of 0 or more") { $0 >= 0 }
            case "maxReplicas": p.maxReplicas = integer(value, "policy.maxReplicas", "a whole number of 0 (unbounded) or more") { $0 >= 0 }
            case "initialReplicas": p.initialReplicas = integer(value, "policy.initialReplicas", "a whole number of 1 or more") { $0 >= 1 }
            case "scaleDownDelay":
                p.scaleDownDelaySeconds = seconds(value, "policy.scaleDownDelay", "between 0s and 1h", whole: true) { $0 >= 0 && $0 <= 3600 }.map { Int($0) }
            case "activationScale": p.activationScale = integer(value, "policy.activationScale", "a whole number of 2 or more") { $0 >= 2 }
            case "targetBurstCapacity":
                p.targetBurstCapacity = number(value, "policy.targetBurstCapacity", "0 or more, or -1") { $0 >= 0 || $0 == -1 }
            case "containerConcurrency":
                p.containerConcurrency = integer(value, "policy.containerConcurrency", "a whole number between 0 and 1000") { (0...1000).contains($0) }
            case "coldStart": p.coldStartSeconds = seconds(value, "policy.coldStart", "of 0s or more") { $0 >= 0 }
            case "aggregation": p.aggregation = aggregation(value, "policy.aggregation")
            case "scaleToZero":
                guard let zero = mapping(value, "rules[].policy.scaleToZero", what: "policy.scaleToZero") else { continue }
                for (k, kn, v) in zero {
                    p.locations["scaleToZero.\(k)"] = location(kn)
                    switch k {
                    case "enabled": p.scaleToZeroEnabled = bool(v, "policy.scaleToZero.enabled")
                    case "gracePeriod": p.scaleToZeroGraceSeconds = seconds(v, "policy.scaleToZero.gracePeriod", "greater than 0s") { $0 > 0 }
                    case "podRetention": p.scaleToZeroRetentionSeconds = seconds(v, "policy.scaleToZero.podRetention", "between 0s and 1h") { $0 >= 0 && $0 <= 3600 }
                    default: break
                    }
                }
            case "objective": p.objective = objective(value)
            case "guards":
                guard let guards = mapping(value, "rules[].policy.guards", what: "policy.guards") else { continue }
                for (k, kn, v) in guards {
                    p.locations["guards.\(k)"] = location(kn)
                    switch k {
                    case "holdWhilePodsStart": p.holdWhilePodsStart = bool(v, "policy.guards.holdWhilePodsStart")
                    case "kvCacheCeiling": p.kvCacheCeiling = number(v, "policy.guards.kvCacheCeiling", "a fraction greater than 0 and at most 1") { $0 > 0 && $0 <= 1 }
                    case "gpuMemoryCeiling": p.gpuMemoryCeiling = number(v, "policy.guards.gpuMemoryCeiling", "a fraction greater than 0 and at most 1") { $0 > 0 && $0 <= 1 }
                    default: break
                    }
                }
            default: break
            }
        }
        if let min = p.minReplicas, let max = p.maxReplicas, max != 0, max < min {
            fail(node, "policy.maxReplicas (\(max)) must be at least policy.minReplicas (\(min)), or 0 for unbounded")
        }
        var seen: Set<Signal> = []
        for m in p.metrics where !seen.insert(m.signal).inserted {
            errors.append(RuleError(file: file, line: m.location.line, column: m.location.column,
                                    message: "signal \(m.signal.rawValue) appears twice in policy.metrics; give each signal once"))
        }
        return p
    }

    mutating func objective(_ node: Node) -> Rule.Objective? {
        guard let pairs = mapping(node, "rules[].policy.objective", what: "policy.objective") else { return nil }
        var ttft: Double?
        var o = Rule.Objective(ttftSeconds: 0)
        for (key, _, value) in pairs {
            switch key {
            case "ttft": ttft = seconds(value, "policy.objective.ttft", "greater than 0s and at most 10m") { $0 > 0 && $0 <= 600 }
            case "quantile": o.quantile = number(value, "policy.objective.quantile", "a share between 0.5 and 0.999") { $0 >= 0.5 && $0 <= 0.999 }
            case "tpot": o.tpotSeconds = seconds(value, "policy.objective.tpot", "greater than 0s and at most 10s") { $0 > 0 && $0 <= 10 }
            case "history": o.historySeconds = seconds(value, "policy.objective.history", "between 1m and 1h", whole: true) { $0 >= 60 && $0 <= 3600 }
            default: break
            }
        }
        if !pairs.contains(where: { $0.key == "ttft" }) {
            fail(node, "policy.objective needs a ttft (time to first token, such as 2s)")
        }
        guard let ttft else { return nil }
        o.ttftSeconds = ttft
        return o
    }

    mutating func metric(_ node: Node) -> Rule.Metric? {
        guard let pairs = mapping(node, "rules[].policy.metrics[]", what: "a metric") else { return nil }
        var signal: Signal?
        var target: Double?
        var m = Rule.Metric(signal: .concurrency, target: 1, location: location(node))
        for (key, _, value) in pairs {
            switch key {
            case "signal": signal = self.signal(value, "signal")
            case "target": target = number(value, "target", "a number greater than 0") { $0 > 0 }
            case "window": m.windowSeconds = seconds(value, "window", "between 6s and 1h", whole: true) { $0 >= 6 && $0 <= 3600 }.map { Int($0) }
            case "panicWindow": m.panicWindowSeconds = seconds(value, "panicWindow", "of 1s or more", whole: true) { $0 >= 1 && $0 <= 3600 }.map { Int($0) }
            case "panicOnly": m.panicOnly = bool(value, "panicOnly") ?? false
            case "aggregation": m.aggregation = aggregation(value, "aggregation")
            default: break
            }
        }
        if !pairs.contains(where: { $0.key == "signal" }) { fail(node, "a metric needs a signal") }
        if !pairs.contains(where: { $0.key == "target" }) { fail(node, "a metric needs a target (per pod)") }
        guard let signal, let target else { return nil }
        if !signal.isAdditive && target > 1 {
            fail(node, "target of \(signal.rawValue) is a fraction of capacity and must be at most 1, got \(target)")
            return nil
        }
        m.signal = signal
        m.target = target
        return m
    }
}

/// Durations in rule files use Go's notation, as Kubernetes and Knative do: 30s, 1m30s, 2h, 500ms.
enum RuleDuration {
    static func nanoseconds(_ text: String) -> Int64? {
        DurationText.parse(text)
    }
}
