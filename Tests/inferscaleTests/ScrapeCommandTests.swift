import Foundation
import PodTestKit
import Testing

@Suite struct ScrapeCommandTests {
    @Test(arguments: ["vllm", "tgi", "sglang", "triton"])
    func recognisesEachRuntimeFixture(name: String) throws {
        let r = try CLIRunner.run(["scrape", "--file", try Fixtures.metricsURL(name).path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("runtime: \(name)"))
    }

    @Test func malformedBodyGivesLineAndColumn() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).txt")
        try "# TYPE foo gauge\nfoo{a=\"1\" 3\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try CLIRunner.run(["scrape", "--file", file.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(file.path):2:11:"))
    }

    @Test func absentSignalsAreShownAsAbsent() throws {
        let r = try CLIRunner.run(["scrape", "--file", try Fixtures.metricsURL("triton").path])
        #expect(r.stdout.contains("KV-cache utilisation         absent"))
    }
}
