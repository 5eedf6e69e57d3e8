import Testing
import AutoscalerCore
import LoopTestKit
import Rules
import Scaling

/// Why a target is not scaled is logged once per change of verdict, not on every scrape round: a cluster with
/// dozens of HPA-owned InferenceServices must not fill the log with the same lines every second.
@Suite struct TargetControlLogTests {
    func run(_ loop: ControlLoop, _ range: ClosedRange<Int64>) async {
        for s in range {
            await loop.scrape(at: Timestamp(seconds: s))
            if s % 2 == 0 { await loop.decide(at: Timestamp(seconds: s)) }
        }
    }

    @Test func eachChangeOfVerdictIsLoggedOnce() async throws {
        var chat = target("chat", ready: 1)
        chat.control = .skipped(reason: "autoscalerClass hpa")
        let discovery = MemoryDiscovery([chat])
        let logs = LogRecorder()
        let loop = ControlLoop(configuration: .init(), rules: .empty, discovery: discovery, source: MemorySource(),
                               actuator: RecordingActuator(discovery: discovery), log: try DecisionLog(path: nil), logger: logs.logger)
        func count(_ message: String) -> Int { logs.messages.filter { $0 == message }.count }

        await run(loop, 0...10)
        #expect(count("not scaling llm/chat: autoscalerClass hpa") == 1, "\(logs.messages)")
        chat.control = .skipped(reason: "autoscalerClass keda")
        await discovery.set([chat])
        await run(loop, 11...20)
        #expect(count("not scaling llm/chat: autoscalerClass keda") == 1)
        chat.control = .paused(holdAt: nil)
        await discovery.set([chat])
        await run(loop, 21...30)
        #expect(count("paused by inferscale.dev/paused: decisions are logged, not applied") == 1)
        chat.control = .owned
        await discovery.set([chat])
        await run(loop, 31...40)
        #expect(count("scaling llm/chat again") == 1)
        #expect(count("not scaling llm/chat: autoscalerClass hpa") == 1)
    }
}
