import Foundation
import AutoscalerCore
import ClusterAdapters
import Scaling
import Testing

@Suite struct ExplainCommandTests {
    /// Records from the real policy code, written as the decision log writes them.
    private func writeLog() throws -> URL {
        var spec = PolicySpec()
        spec.metrics = [.init(signal: .concurrency, target: 10), .init(signal: .queueDepth, target: 2)]
        spec.maxReplicas = 4
        var p = PolicyDecider(spec: spec, target: "llm/chat", readyPods: 1, now: Timestamp(seconds: 0))
        var other = PolicyDecider(spec: spec, target: "llm/other", readyPods: 1, now: Timestamp(seconds: 0))
        var lines: [String] = []
        let encoder = JSONEncoder()
        for s in Int64(0)...20 {
            p.record(SignalSample([.concurrency: 15, .queueDepth: 12]), at: Timestamp(seconds: s))
            other.record(SignalSample([.concurrency: 1]), at: Timestamp(seconds: s))
            if s % 10 == 0 {
                lines.append(String(decoding: try encoder.encode(p.evaluate(pods: PodCounts(ready: 1), at: Timestamp(seconds: s))), as: UTF8.self))
                lines.append(String(decoding: try encoder.encode(other.evaluate(pods: PodCounts(ready: 1), at: Timestamp(seconds: s))), as: UTF8.self))
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("decisions-\(UUID().uuidString).jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func explainsTheLatestRecordsOfOneTarget() async throws {
        let log = try writeLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let r = try await CLIRunner.runDetached(["explain", "llm/chat", "--log", log.path, "--last", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("llm/chat at 20s: desired 4") == true)
        #expect(lines.contains { $0.contains("queue-depth: stable 12, panic 12, target 2/pod → 6 stable, 6 panic pods  ← wins") })
        #expect(lines.contains { $0.contains("bounds: 6 → 4") })
        #expect(!r.stdout.contains("llm/other"))
    }

    @Test func showsThePerPodGPUFiguresBehindAHeldScaleDown() async throws {
        var spec = PolicySpec()
        spec.guards.gpuMemoryCeiling = 0.9
        var p = PolicyDecider(spec: spec, target: "llm/gpu", readyPods: 0, now: Timestamp(seconds: 0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 5]), at: Timestamp(seconds: s)) }
        p.record(gpuMemory: GPUMemoryFigures(pods: [.init(name: "gpu-1", max: 0.7, mean: 0.6, devices: 2),
                                                    .init(name: "gpu-0", max: 0.5, mean: 0.5, devices: 1)],
                                             missing: []), at: Timestamp(seconds: 10))
        let record = p.evaluate(pods: PodCounts(ready: 2), at: Timestamp(seconds: 10))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gpu-\(UUID().uuidString).jsonl")
        try String(decoding: try JSONEncoder().encode(record), as: UTF8.self).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await CLIRunner.runDetached(["explain", "llm/gpu", "--log", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("  gpu memory: max 70.0%, mean 56.7% over 2 pods"))
        #expect(lines.contains("    gpu-0: max 50.0%, mean 50.0% of 1 GPU"))
        #expect(lines.contains("    gpu-1: max 70.0%, mean 60.0% of 2 GPUs"))
        // Load asks for 1; gpu-0 leaving puts gpu-1 at 120 %: held at 2.
        #expect(lines.contains { $0.hasPrefix("  guard:gpu-memory: 1 → 2 (GPU memory per pod 50% 70% would reach 120% on 1") })
    }

    @Test func unknownTargetOrBadLogIsAnInputError() async throws {
        let log = try writeLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let missing = try await CLIRunner.runDetached(["explain", "llm/nope", "--log", log.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no decisions recorded for llm/nope"))
        let both = try await CLIRunner.runDetached(["explain", "llm/chat"])
        #expect(both.status == 2)
        let damaged = FileManager.default.temporaryDirectory.appendingPathComponent("damaged-\(UUID().uuidString).jsonl")
        try "{\"not\": \"a record\"}\n".write(to: damaged, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: damaged) }
        let bad = try await CLIRunner.runDetached(["explain", "llm/chat", "--log", damaged.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains(":1: not a decision record"))
    }

    @Test func aCutLineIsSkippedWithAWarningNamingIt() async throws {
        // A crash cuts a line in the middle; the records before and after it still explain.
        let log = try writeLog()
        defer { try? FileManager.default.removeItem(at: log) }
        var lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = String(lines[2].prefix(lines[2].count / 2))
        try lines.joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        let r = try await CLIRunner.runDetached(["explain", "llm/chat", "--log", log.path, "--last", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(log.path):3: not a decision record, skipped"))
        #expect(r.stdout.hasPrefix("llm/chat at 20s: desired 4"))
    }
}

@Suite struct LintCommandTests {
    @Test func shippedRulesLintClean() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let r = try await CLIRunner.runDetached(["lint", root.appendingPathComponent("rules").path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("no problems"))
    }

    @Test func errorsExitOneWithPositions() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        try "rules:\n  - name: a\n    policy:\n      window: 5s\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await CLIRunner.runDetached(["lint", file.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(file.path):4:15: error: policy.window must be a duration between 6s and 1h"))
    }

    @Test func warningsExitZeroUnlessStrict() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("warn-\(UUID().uuidString).yaml")
        try "rules:\n  - name: a\n    policy:\n      minReplicas: 0\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await CLIRunner.runDetached(["lint", file.path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("warning: rule \"a\": minReplicas is 0"))
        #expect(try await CLIRunner.runDetached(["lint", "--strict", file.path]).status == 1)
    }
}

@Suite struct ExplainOverHTTPTests {
    /// `explain --url` reads /debug/decisions from a running inferscale (here: its HTTP server
    /// on 127.0.0.1 answering with records from the real policy code).
    @Test func readsDecisionsFromARunningInferscale() async throws {
        var spec = PolicySpec()
        spec.metrics = [.init(signal: .concurrency, target: 10)]
        var p = PolicyDecider(spec: spec, target: "llm/chat", readyPods: 1, now: Timestamp(seconds: 0))
        for s in Int64(0)...10 { p.record(SignalSample([.concurrency: 35]), at: Timestamp(seconds: s)) }
        let records = [p.evaluate(pods: PodCounts(ready: 1), at: Timestamp(seconds: 10))]
        let body = try JSONEncoder().encode(records)
        let server = try await HTTPServer(host: "127.0.0.1", port: 0) { request in
            request.path == "/debug/decisions" && request.query["target"] == "llm/chat"
                ? .init(status: 200, contentType: "application/json", body: Array(body))
                : .init(status: 404, text: "no")
        }
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let port = server.port
        // The server answers from this (busy, parallel) test process: a generous timeout keeps a
        // loaded CI machine from failing the test; an unreachable URL is still an error below.
        let r = try await CLIRunner.runDetached(["explain", "llm/chat", "--url", "http://127.0.0.1:\(port)", "--timeout", "60"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("llm/chat at 10s: desired 4"))
        let missing = try await CLIRunner.runDetached(["explain", "llm/none", "--url", "http://127.0.0.1:\(port)", "--timeout", "60"])
        #expect(missing.status == 2)
    }
}

/// An objective policy's records explain capacity, demand, forecast and the count.
@Suite struct ExplainObjectiveTests {
    @Test func objectiveRecordsShowWhatTheCountCameFrom() async throws {
        var spec = PolicySpec()
        spec.metrics = []
        spec.objective = ObjectiveSpec(ttftSeconds: 2, historySeconds: 60, coldStartPriorSeconds: 90)
        var p = PolicyDecider(spec: spec, target: "llm/slo", readyPods: 2, now: Timestamp(seconds: 0))
        var last: DecisionRecord?
        for s in Int64(0)...40 {
            p.record(SignalSample([.promptTokensPerSecond: 6000, .rps: 12, .queueDepth: 10, .running: 20, .kvCacheUtilization: 0.3]),
                     at: Timestamp(seconds: s))
            if s % 2 == 0 { last = p.evaluate(pods: PodCounts(ready: 2), at: Timestamp(seconds: s)) }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("objective-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try String(decoding: try JSONEncoder().encode(try #require(last)), as: UTF8.self).write(to: file, atomically: true, encoding: .utf8)
        let r = try await CLIRunner.runDetached(["explain", "llm/slo", "--log", file.path, "--last", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("objective: capacity 3000 prompt tokens/s per replica (saturated)"), "\(r.stdout)")
        #expect(r.stdout.contains("demand 6000 tokens/s"))
        // Prompts may wait 2 − 4 × 500 / 3,000 = 1.33 s (the objective less four 500-token prompts'
        // prefill at 3,000 a second); the fluid queue lets 5 % of 41 s of a steady 6,000 wait past
        // that: L = 0.95 × 41 × 6,000 / (4/3 + 0.95 × 41) ≈ 5,801.
        #expect(r.stdout.contains("forecast 5801 tokens/s (prompts may wait 1.33s) one cold start (90s, assumed) ahead"), "\(r.stdout)")
        #expect(r.stdout.contains("needs prefill 2 → 2 now, 2 held over the cold start"))
    }
}
