import Foundation
import Testing
@testable import AutoscalerCore
import Scaling

@Suite struct DecisionLogTests {
    private func record(_ target: String, at second: Int64, desired: Int32) -> DecisionRecord {
        var p = PolicyDecider(spec: PolicySpec(), target: target, readyPods: 1, now: Timestamp(seconds: 0))
        p.record(SignalSample([.concurrency: Double(desired) * 70]), at: Timestamp(seconds: second))
        var r = p.evaluate(pods: PodCounts(ready: 1), at: Timestamp(seconds: second))
        r.desired = desired
        return r
    }

    /// The records kept in memory are bounded in all, not only per target: with more targets than the bound
    /// allows at `keepPerTarget` each, every target keeps its newest `keepInAll / targets`, oldest first, and
    /// gets its full history back when targets go away.
    @Test func theRecordsKeptAreBoundedInAll() async throws {
        let log = try DecisionLog(path: nil, keepPerTarget: 10, keepInAll: 40)
        for s in Int64(0)..<12 { await log.record(record("llm/a", at: s, desired: Int32(s)), changed: false) }
        #expect(await log.records(for: "llm/a").map(\.desired) == Array(2..<12))  // 10 kept: one target
        for t in 0..<19 { await log.record(record("llm/t\(t)", at: 0, desired: 0), changed: false) }
        // 20 targets share 40 records: 2 each; "llm/a" drops its oldest on its next record.
        await log.record(record("llm/a", at: 12, desired: 12), changed: false)
        #expect(await log.records(for: "llm/a").map(\.desired) == [11, 12])
        for s in Int64(1)..<6 { await log.record(record("llm/t0", at: s, desired: Int32(s)), changed: false) }
        #expect(await log.records(for: "llm/t0").map(\.desired) == [4, 5])
        for t in 1..<19 { await log.forget("llm/t\(t)") }
        for s in Int64(13)..<20 { await log.record(record("llm/a", at: s, desired: Int32(s)), changed: false) }
        #expect(await log.records(for: "llm/a").map(\.desired) == Array(11..<20))  // two targets: 10 each again
    }

    /// Two writers with their own open file (as two processes have) append to one file at once:
    /// every line is a whole record.
    @Test func twoWritersOnOneFileNeverCutALine() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("decisions-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try DecisionLog(path: path)
        let b = try DecisionLog(path: path)
        let perWriter = 400
        let records = (0..<perWriter).map { record("llm/chat-\($0 % 7)", at: Int64($0), desired: Int32($0 % 9)) }
        await withTaskGroup(of: Void.self) { group in
            for (name, log) in [("a", a), ("b", b)] {
                group.addTask {
                    for r in records {
                        var r = r
                        r.target += "-\(name)"
                        await log.record(r, changed: true)
                    }
                }
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")  // ends with a newline
        let decoded = try lines.dropLast().map { try JSONDecoder().decode(DecisionRecord.self, from: Data($0.utf8)) }
        #expect(decoded.count == 2 * perWriter)
        #expect(decoded.filter { $0.target.hasSuffix("-a") }.count == perWriter)
    }

    @Test func recordsInMemoryAreBoundedAndForgotten() async throws {
        let log = try DecisionLog(path: nil, keepPerTarget: 3)
        for s in Int64(0)..<10 { await log.record(record("llm/chat", at: s, desired: 1), changed: false) }
        #expect(await log.records(for: "llm/chat").map(\.time) == [7, 8, 9])
        await log.forget("llm/chat")
        #expect(await log.records(for: "llm/chat").isEmpty)
    }
}
