import Foundation
import Testing

/// `inferscale decide --scale-to-zero`: the gating after the decider, replayed tick by tick
/// (Knative's `pkg/reconciler/autoscaling/kpa/scaler.go` `handleScaleToZero`).
@Suite struct DecideScaleToZeroTests {
    struct Row {
        var time: Int, want: Int, replicas: Int?, activatorInPath: Bool, phase: String, reason: String
    }

    static func run(_ extra: [String]) async throws -> [Row] {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("s2z-\(UUID().uuidString).csv")
        try "time_s,concurrency,ready_pods\n0,10,1\n20,0,1\n".write(to: trace, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: trace) }
        let r = try await CLIRunner.runDetached(["decide", "--trace", trace.path, "--follow-desired", "0", "--scale-to-zero", "--duration", "150",
                                   "--config", "scale-to-zero-grace-period=10s", "--quiet"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "time_s,event,ready_pods,observed_stable,observed_panic,valid,desired_pods,ebc,panic_mode,latest_desired,want,replicas,activator_in_path,phase,gate_reason")
        return lines.dropFirst().map { line in
            let quote = line.firstIndex(of: "\"")!
            let fields = line[..<quote].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Row(time: Int(fields[0])!, want: Int(fields[10])!, replicas: Int(fields[11]), activatorInPath: fields[12] == "1",
                       phase: fields[13], reason: String(line[line.index(after: quote)...].dropLast()))
        }
    }

    /// With the default burst capacity one pod never has spare capacity, so the activator has been in the path
    /// all along: once the revision is marked inactive (a stable window after the load stopped), the next tick
    /// takes the last pod.
    @Test func activatorAlreadyInPathGoesToZeroOnTheNextTick() async throws {
        let rows = try await Self.run([])
        let marked = try #require(rows.first { $0.want == 0 })
        #expect(marked.replicas == nil)
        #expect(marked.reason.contains("marked inactive"))
        #expect(marked.time >= 20 + 60)
        let zero = try #require(rows.first { $0.replicas == 0 })
        #expect(zero.time > marked.time)
        #expect(zero.activatorInPath)
        #expect(zero.phase == "inactive")
        #expect(rows.allSatisfy { $0.activatorInPath })
    }

    /// With burst capacity 0 the pod serves directly (Serve); the activator comes into the path only when the
    /// revision goes inactive, and the last pod stays for the grace period after that.
    @Test func gracePeriodStartsWhenTheActivatorComesIn() async throws {
        let rows = try await Self.run(["--annotation", "target-burst-capacity=0"])
        #expect(rows.first { $0.time == 10 }?.activatorInPath == false)
        let marked = try #require(rows.first { $0.want == 0 })
        #expect(marked.activatorInPath)
        let zero = try #require(rows.first { $0.replicas == 0 })
        #expect(zero.time - marked.time >= 10)
        #expect(rows.filter { $0.time > marked.time && $0.time < zero.time }.allSatisfy { $0.replicas == nil && $0.reason.contains("grace") })
    }
}
