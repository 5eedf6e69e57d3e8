import Foundation
import RemoteWriteTestKit
import Testing

/// `inferscale simulate --remote-write` into a real Prometheus (Debian's, on a loopback port).
@Suite struct SimulateRemoteWriteTests {
    @Test func theReplayLandsInPrometheusEndingNow() async throws {
        let prometheus = try await PrometheusServer.start()
        defer {
            prometheus.killNow()
            prometheus.removeFiles()
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-rw-\(UUID().uuidString)").path
        let before = Date().timeIntervalSince1970
        let r = try await CLIRunner.runDetached(["simulate", "--policy", "kpa", "--to", "300", "--out", out, "--remote-write", prometheus.writeURL])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("remote-write: 1200 samples sent"))
        // What the CSV says second by second is what Prometheus stored, ending about now.
        let csv = try String(contentsOfFile: "\(out)/kpa.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        let ready = csv.map { Double($0.split(separator: ",")[2])! }
        var stored: [PrometheusServer.QueriedSeries] = []
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(30))
        while clock.now < deadline {
            stored = try await prometheus.query("inferscale_ready_replicas{policy=\"kpa\"}[10m]", at: Date().timeIntervalSince1970)
            if stored.first?.samples.count == ready.count { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let series = try #require(stored.first)
        #expect(series.labels["target"] == "simulation/llama-70b-4xa100")
        #expect(series.samples.map(\.value) == ready)
        let last = Double(try #require(series.samples.last).timestamp) / 1000
        #expect(last >= before - 2 && last <= Date().timeIntervalSince1970)
        #expect(series.samples.first!.timestamp + 299_000 == series.samples.last!.timestamp)
    }

    @Test func aDeadReceiverIsAClearErrorInBoundedTime() async throws {
        let started = Date()
        let r = try await CLIRunner.runDetached(["simulate", "--policy", "kpa", "--to", "60", "--remote-write", "http://127.0.0.1:1/api/v1/write"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("0 samples sent") && r.stderr.contains("not every sample arrived"))
        #expect(Date().timeIntervalSince(started) < 60)
    }
}
