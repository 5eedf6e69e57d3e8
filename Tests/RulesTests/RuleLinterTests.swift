import Foundation
import Testing
@testable import Rules

@Suite struct RuleLinterTests {
    private func warnings(_ yaml: String) throws -> [String] {
        let set = try RuleSet(try RuleParser(file: "l.yaml").parse(yaml))
        return RuleLinter().lint(set).map(\.description)
    }

    @Test func panicWindowLongerThanStableWindow() throws {
        let w = try warnings("""
            rules:
              - name: a
                source: {push: true}
                policy:
                  metrics:
                    - {signal: concurrency, target: 10, window: 10s, panicWindow: 20s}
            """)
        #expect(w == ["l.yaml:6:11: warning: rule \"a\": metric concurrency: panic window 20s is longer than its stable window 10s; panic would react slower than the stable average"])
    }

    @Test func delaysShorterThanTheColdStart() throws {
        let w = try warnings("""
            rules:
              - name: a
                source: {push: true}
                policy:
                  coldStart: 2m
                  scaleDownDelay: 30s
                  scaleToZero: {gracePeriod: 60s}
            """)
        #expect(w.count == 2)
        #expect(w[0].hasPrefix("l.yaml:6:7: warning: rule \"a\": scaleDownDelay 30s is shorter than the cold start 2m"))
        #expect(w[1].hasPrefix("l.yaml:7:21: warning: rule \"a\": scale-to-zero grace period 1m is shorter than the cold start 2m"))
    }

    @Test func scaleToZeroWithoutAPushSource() throws {
        let w = try warnings("rules:\n  - name: a\n    policy:\n      minReplicas: 0\n")
        #expect(w == ["l.yaml:4:7: warning: rule \"a\": minReplicas is 0 but no push source (source.push: true) reports load while the target has no pods; once at zero it cannot wake up"])
        #expect(try warnings("rules:\n  - name: a\n    policy:\n      minReplicas: 1\n").isEmpty)
    }

    @Test func signalsTheRuntimeDoesNotExposeAndRenamedNames() throws {
        let w = try warnings("""
            rules:
              - name: a
                source:
                  runtime: triton
                  push: true
                  metricNames: {queue-depth: vllm:gpu_cache_usage_perc}
                policy:
                  metrics:
                    - {signal: kv-cache-utilization, target: 0.8}
            """)
        #expect(w.contains { $0.contains("triton does not expose kv-cache-utilization") })
        #expect(w.contains { $0.contains("metric vllm:gpu_cache_usage_perc was renamed in vLLM 0.9") && $0.contains("use vllm:kv_cache_usage_perc") })
    }

    /// The guard holds every scale-down when it has no reading; on a runtime without KV metrics it never has one.
    @Test(arguments: [("tgi", "queue-depth", true), ("triton", "queue-depth", true), ("vllm", "queue-depth", false),
                      ("sglang", "queue-depth", false), ("tgi", "kv-cache-utilization", false)])
    func aKVCacheGuardOnARuntimeWithoutKVMetrics(runtime: String, named: String, warns: Bool) throws {
        let w = try warnings("""
            rules:
              - name: a
                source:
                  runtime: \(runtime)
                  push: true
                  metricNames: {\(named): my_metric}
                policy:
                  minReplicas: 1
                  guards:
                    kvCacheCeiling: 0.9
            """)
        let expected = "l.yaml:10:9: warning: rule \"a\": guards.kvCacheCeiling: \(runtime) reports no KV-cache use, so the guard never has a reading and holds every scale-down; set source.metricNames.kv-cache-utilization or remove the guard"
        #expect(w == (warns ? [expected] : []), "\(w)")
    }

    @Test func targetOnePodCannotReach() throws {
        let w = try warnings("""
            rules:
              - name: a
                source: {push: true}
                policy:
                  containerConcurrency: 4
                  metrics:
                    - {signal: concurrency, target: 10}
            """)
        #expect(w == ["l.yaml:7:11: warning: rule \"a\": target 10.0 requests in flight per pod is above containerConcurrency 4; one pod can never reach it"])
    }

    @Test func rulesOwningTheSameTarget() throws {
        let w = try warnings("""
            rules:
              - name: general
                match: {namespace: llm}
                policy: {minReplicas: 1}
              - name: specific
                match: {namespace: llm, deployment: chat}
                policy: {minReplicas: 1}
            """)
        #expect(w == ["l.yaml:2:5: warning: rule \"general\": rule \"specific\" (l.yaml:5:5) can own the same targets; where both match, \"specific\" wins because it is more specific"])
    }
}

@Suite struct RulesDocumentationTests {
    /// docs/rules.md documents exactly the keys the parser accepts.
    @Test func referenceMatchesTheSchema() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let documented = Set(doc.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        })
        let schema = Set(RuleSchema.fields.map(\.path))
        #expect(schema.subtracting(documented).sorted() == [], "keys missing from docs/rules.md")
        #expect(documented.subtracting(schema).sorted() == [], "documented keys the parser does not accept")
    }

    /// Every YAML example in docs/rules.md parses.
    @Test func examplesInTheReferenceParse() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let blocks = doc.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```").first ?? "" }
        #expect(blocks.count >= 2)
        for block in blocks { _ = try RuleFiles.load([RuleFiles.File(path: "docs/rules.md", text: block)]) }
    }
}
