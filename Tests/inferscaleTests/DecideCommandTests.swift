import Foundation
import Testing

@Suite struct DecideCommandTests {
    static let header = "time_s,event,ready_pods,observed_stable,observed_panic,valid,desired_pods,ebc,panic_mode,latest_desired"

    @Test func bundledExampleRunsAndPrintsCSVAndASummary() async throws {
        let r = try await CLIRunner.runDetached(["decide"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first.map(String.init) == Self.header)
        #expect(lines.count > 100)
        #expect(r.stderr.contains("evaluations:"))
        #expect(r.stderr.contains("panic"))
    }

    @Test func stepTraceMatchesTheGoldenOutput() async throws {
        let trace = try CLIRunner.golden("step.csv")
        let r = try await CLIRunner.runDetached(["decide", "--trace", trace.path, "--duration", "20", "--quiet"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        let expected = try String(contentsOf: try CLIRunner.golden("step.expected.csv"), encoding: .utf8)
        #expect(r.stdout == expected)
    }

    @Test(arguments: [
        (["decide", "--no-such-flag"], "no-such-flag"),
        (["decide", "--config", "stable-windw=30s"], "stable-windw"),
        (["decide", "--config", "stable-window=3s"], "between 6s and 1h"),
        (["decide", "--annotation", "autoscaling.knative.dev/target=0"], "at least 0.01"),
        (["decide", "--annotation", "target"], "key=value"),
        (["decide", "--container-concurrency", "2000"], "containerConcurrency"),
        (["decide", "--trace", "/nonexistent/trace.csv"], "cannot read"),
        (["decide", "--follow-desired", "-3"], "follow-desired"),
    ])
    func badInputExitsWithStatusTwo(arguments: [String], message: String) async throws {
        let r = try await CLIRunner.runDetached(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message))
        #expect(r.stdout.isEmpty)
    }

    @Test func malformedTraceNamesTheLine() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("inferscale-bad-\(UUID().uuidString).csv")
        try "time_s,concurrency,ready_pods\n0,1,1\n3,oops,1\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await CLIRunner.runDetached(["decide", "--trace", file.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 3"))
    }

    @Test func helpExplainsTheContract() async throws {
        let r = try await CLIRunner.runDetached(["decide", "--help"])
        #expect(r.status == 0)
        for flag in ["--trace", "--container-concurrency", "--config", "--annotation", "--follow-desired", "--initial-ready", "--unreachable", "--per-pod", "--duration"] {
            #expect(r.stdout.contains(flag), "help lacks \(flag)")
        }
    }
}
