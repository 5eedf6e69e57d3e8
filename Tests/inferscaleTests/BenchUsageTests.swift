import Foundation
import Testing

/// `inferscale-bench --help` says what it runs, and a mistyped `--only` is refused instead of running
/// every benchmark (it used to run none of them, silently).
@Suite struct BenchUsageTests {
    private var bench: URL {
        get throws {
            let url = try CLIRunner.binary.deletingLastPathComponent().appendingPathComponent("inferscale-bench")
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw CLIRunner.CLIError(message: "inferscale-bench was not built beside inferscale (swift build --build-tests builds it): \(url.path)")
            }
            return url
        }
    }

    @Test func helpListsEveryBenchmarkAndItsOptions() async throws {
        let result = try await CLIRunner.runDetached(["--help"], executable: bench)
        #expect(result.status == 0)
        for name in ["decider", "exposition", "remote-write", "scrape", "reaction", "cold-start", "simulation", "tune",
                     "calibration", "fleet", "loop-tick", "scrape-cpu", "soak", "--fleet-targets", "--processes", "--loop-targets"] {
            #expect(result.stdout.contains(name), "help lacks \(name)")
        }
    }

    @Test func anUnknownNameIsRefusedWithTheKnownOnes() async throws {
        let result = try await CLIRunner.runDetached(["--only", "loop-ticks"], executable: bench)
        #expect(result.status == 2)
        #expect(result.stderr.contains("'loop-ticks'"))
        #expect(result.stderr.contains("loop-tick, scrape-cpu"))
        #expect(result.stdout.isEmpty, "nothing may run: \(result.stdout.prefix(200))")
        let missing = try await CLIRunner.runDetached(["--only"], executable: bench)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("got nothing"))
    }
}
