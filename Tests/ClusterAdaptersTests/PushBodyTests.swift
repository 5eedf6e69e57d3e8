import Exposition
import Testing
@testable import ClusterAdapters

/// The push body is refused whole when any report in it is malformed, unbounded or too many.
@Suite struct PushBodyTests {
    private func decode(_ json: String) throws(PushBody.DecodeError) -> [Endpoints.Load] {
        try PushBody.decode(Array(json.utf8), contentType: "application/json")
    }

    @Test func acceptsOneOrAList() throws {
        #expect(try decode(#"{"target": "llm/chat", "concurrency": 3, "rps": 1.5}"#) == [.init(target: "llm/chat", concurrency: 3, rps: 1.5)])
        #expect(try decode(#"[{"target": "llm/a", "concurrency": 0}, {"target": "llm/b", "concurrency": 1}]"#).count == 2)
        #expect(try decode("[]").isEmpty)
    }

    @Test(arguments: [
        #"{"target": "llm/chat", "concurrency": -1}"#,
        #"{"target": "llm/chat", "concurrency": 1, "rps": -0.5}"#,
        #"{"target": "llm/chat", "concurrency": 1e999}"#,
        #"{"target": "chat", "concurrency": 1}"#,
        #"{"target": "llm/chat/x", "concurrency": 1}"#,
        #"{"target": "/chat", "concurrency": 1}"#,
        #"{"target": "llm/", "concurrency": 1}"#,
        #"{"concurrency": 1}"#,
        "{not json",
        "",
    ])
    func refusesMalformedReports(json: String) {
        #expect(throws: PushBody.DecodeError.self) { try decode(json) }
    }

    @Test func refusesTooManyReportsAndOverlongTargets() {
        let many = "[" + Array(repeating: #"{"target": "llm/chat", "concurrency": 1}"#, count: PushBody.maxLoads + 1).joined(separator: ",") + "]"
        #expect(throws: PushBody.DecodeError.self) { try decode(many) }
        let long = #"{"target": "llm/"# + String(repeating: "x", count: 400) + #"", "concurrency": 1}"#
        do {
            _ = try decode(long)
            Issue.record("a 400-byte name was accepted")
        } catch {
            #expect(error.description.count < 400, "the error repeats the whole target")
        }
    }

    @Test func protobufBatchesAreCheckedLikeJSON() throws {
        let stat = QueueProxyStat(podName: "activator-1", averageConcurrentRequests: 3, averageProxiedConcurrentRequests: 0,
                                  requestsPerSecond: 2, proxiedRequestsPerSecond: 0, processUptime: 10, timestamp: 0)
        let bytes = QueueProxyStat.protobufBytes(batch: [.init(namespace: "llm", name: "chat", stat: stat)])
        #expect(try PushBody.decode(bytes, contentType: "application/protobuf") == [.init(target: "llm/chat", concurrency: 3, rps: 2)])
        #expect(throws: PushBody.DecodeError.self) { try PushBody.decode([0xff, 0xff, 0x01], contentType: "application/x-protobuf") }
    }
}
