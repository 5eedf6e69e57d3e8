import Testing
import AutoscalerCore
import LoopTestKit
import Rules
import Scaling

/// A GPU-memory guard whose target's pods never report GPU memory holds every scale-down for good: from its first
/// hold the loop says so once in its log (with what to add), shows it in the target's status (`/debug/targets`)
/// while it lasts, and says once more when readings arrive — not once per tick, and not coming and going with the load.
@Suite struct GuardWithoutReadingsReportTests {
    func run(_ loop: ControlLoop, _ range: ClosedRange<Int64>) async {
        for s in range {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
    }

    @Test func aGuardWithoutReadingsIsLoggedOnceAndShownInStatus() async throws {
        let rules = try RuleFiles.load([RuleFiles.File(path: "r.yaml", text: """
            rules:
              - name: chat
                policy:
                  minReplicas: 1
                  guards: {gpuMemoryCeiling: 0.9}
            """)])
        let discovery = MemoryDiscovery([target("chat", ready: 4)])
        let source = MemorySource()
        let logs = LogRecorder()
        let loop = ControlLoop(configuration: .init(), rules: rules, discovery: discovery, source: source,
                               actuator: RecordingActuator(discovery: discovery), log: try DecisionLog(path: nil), logger: logs.logger)
        func warnings() -> [String] { logs.messages.filter { $0.hasPrefix("guard gpu-memory holds every scale-down") } }

        // Busy (no scale-down asked: nothing to report), then idle past the panic the burst began (a stable
        // window, 60 s), so a scale-down is asked and held: one warning.
        await source.set("llm/chat", SignalSample([.concurrency: 280]))
        await run(loop, 0...10)
        #expect(warnings().isEmpty, "nothing was held yet: \(logs.messages)")
        #expect(try #require(await loop.status().first).guardsWithoutReadings == nil)
        await source.set("llm/chat", SignalSample([.concurrency: 10]))
        await run(loop, 11...100)
        #expect(warnings().count == 1, "\(logs.messages)")
        #expect(warnings().first?.contains("dcgm-exporter") == true)
        let status = try #require(await loop.status().first)
        #expect(status.replicas == 4)
        #expect(status.guardsWithoutReadings == ["guard:gpu-memory: no GPU memory reading for the target's pods; scale-downs held"])

        // GPU figures arrive (low): the guard has readings again, said once, and the target scales down.
        await source.set("llm/chat", SignalSample([.concurrency: 10, .gpuMemoryUtilization: 0.2]))
        await run(loop, 101...140)
        #expect(logs.messages.filter { $0 == "guard gpu-memory has readings again" }.count == 1, "\(logs.messages)")
        #expect(warnings().count == 1)
        let after = try #require(await loop.status().first)
        #expect(after.guardsWithoutReadings == nil)
        #expect(after.desired < 4)
    }
}
