import Foundation
import Testing

/// `inferscale tune` as a user runs it: the built binary, the repository's rules.
@Suite struct TuneCommandTests {
    @Test func tunesARuleWritesARuleFileThatLintsCleanAndRepeatsItself() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tune-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let args = ["tune", "--family", "llama-code", "--rules", SimulateCommandTests.rules, "--to", "300", "--ttft-objective", "60", "--out", out]
        let a = try await CLIRunner.runDetached(args)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.contains("llama-code: 15 variants"), "\(a.stdout)")
        #expect(a.stdout.contains("cheapest meeting the objective: llama-code-x"), "\(a.stdout)")
        let file = "\(out)/tuned-llama-code.yaml"
        #expect(a.stdout.contains("llama-code: wrote \(file)"))
        let lint = try await CLIRunner.runDetached(["lint", "--strict", file])
        #expect(lint.status == 0 && lint.stdout.contains("1 rule in \(file): no problems"), "\(lint.stdout)\(lint.stderr)")
        // Same inputs, same report, byte for byte (the replays run in parallel).
        let b = try await CLIRunner.runDetached(args)
        #expect(b.stdout == a.stdout)
    }

    @Test func unknownFamilyAndBadQuantileAreRefused() async throws {
        let unknown = try await CLIRunner.runDetached(["tune", "--family", "nope", "--to", "60"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown --family nope; known: kpa, hpa, objective, fixed (no --rules given)"), "\(unknown.stderr)")
        let quantile = try await CLIRunner.runDetached(["tune", "--objective-quantile", "1", "--to", "60"])
        #expect(quantile.status == 2 && quantile.stderr.contains("--objective-quantile must be between 0.5 and 0.999"), "\(quantile.stderr)")
    }
}
