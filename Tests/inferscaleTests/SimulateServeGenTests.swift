import Foundation
import PodTestKit
import Testing

/// `inferscale simulate --format servegen` as a user runs it: a folder of ServeGen client files,
/// the flags that only it takes, and the errors that say what to do.
@Suite struct SimulateServeGenTests {
    static func folder() throws -> String { try Fixtures.traceURL("servegen-two-clients").path }

    @Test func aFolderOfClientFilesReplaysTheSameTwice() async throws {
        // The folder is detected; 20 minutes at a mean of 1 request/s on the 8 B profile.
        let args = ["simulate", "--trace", try Self.folder(), "--to", "1200", "--mean-rate", "1", "--model", "llama-8b-1xh100",
                    "--policy", "fixed-1", "--json"]
        let a = try await CLIRunner.runDetached(args)
        #expect(a.status == 0, "\(a.stderr)")
        let b = try await CLIRunner.runDetached(args)
        #expect(a.stdout == b.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any]
        let trace = json?["trace"] as? String ?? ""
        #expect(trace.contains("ServeGen: 2 clients, 0–1200 s") && trace.contains("(1.00 requests/s)") && trace.contains("the bundled Azure code slice"), "\(trace)")
        let requests = ((json?["results"] as? [[String: Any]])?.first?["requests"] as? Int) ?? 0
        #expect((1000...1400).contains(requests), "\(requests)")
    }

    @Test func itsFlagsAreRefusedElsewhereAndAsAPair() async throws {
        let elsewhere = try await CLIRunner.runDetached(["simulate", "--policy", "fixed-1", "--to", "60", "--mean-rate", "2"])
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("--mean-rate applies to ServeGen models only"), "\(elsewhere.stderr)")
        let both = try await CLIRunner.runDetached(["simulate", "--trace", try Self.folder(), "--mean-rate", "2", "--rate-scale", "1"])
        #expect(both.status == 2 && both.stderr.contains("give --mean-rate or --rate-scale, not both"), "\(both.stderr)")
    }

    @Test func aBundleIsRefusedWithTheCommandThatExtractsIt() async throws {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("m-mid-\(UUID().uuidString).tar.gz")
        defer { try? FileManager.default.removeItem(at: bundle) }
        try Data([0x1F, 0x8B, 0x08, 0x00]).write(to: bundle)
        let r = try await CLIRunner.runDetached(["simulate", "--trace", bundle.path, "--format", "servegen", "--policy", "fixed-1"])
        #expect(r.status == 2 && r.stderr.contains("extract it first with tar -xzf \(bundle.path)"), "\(r.stderr)")
    }
}
