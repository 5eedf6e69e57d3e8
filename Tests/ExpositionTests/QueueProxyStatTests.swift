import Testing
import Exposition

@Suite struct QueueProxyStatTests {
    let stat = QueueProxyStat(
        podName: "llama-predictor-00001-deployment-7f9c6d5b8-x2kqp", averageConcurrentRequests: 3.25,
        averageProxiedConcurrentRequests: 0.5, requestsPerSecond: 12.5, proxiedRequestsPerSecond: 1.5,
        processUptime: 3600.25, timestamp: 1_763_800_000
    )

    @Test func roundTrip() throws {
        let bytes = stat.protobufBytes()
        #expect(try QueueProxyStat(protobuf: bytes) == stat)
    }

    @Test func decodesHandWrittenWireBytes() throws {
        // Field 1 (string "p"), field 2 (double 2.0), field 7 (varint 5): independent of the generated encoder.
        let bytes: [UInt8] = [0x0A, 0x01, 0x70, 0x11, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x38, 0x05]
        let decoded = try QueueProxyStat(protobuf: bytes)
        #expect(decoded.podName == "p")
        #expect(decoded.averageConcurrentRequests == 2.0)
        #expect(decoded.timestamp == 5)
        #expect(decoded.requestsPerSecond == 0)
    }

    @Test func batchRoundTrip() throws {
        let batch = [
            QueueProxyStat.Addressed(namespace: "llm", name: "llama-predictor-00001", stat: stat),
            QueueProxyStat.Addressed(namespace: "llm", name: "mistral-00003", stat: QueueProxyStat(podName: "activator-1", averageConcurrentRequests: 1, requestsPerSecond: 2)),
        ]
        #expect(try QueueProxyStat.decodeBatch(protobuf: QueueProxyStat.protobufBytes(batch: batch)) == batch)
    }

    @Test func malformedBytesAreRejected() {
        let truncated = Array(stat.protobufBytes().dropLast(3))
        #expect(throws: QueueProxyStatError.self) { try QueueProxyStat(protobuf: truncated) }
        #expect(throws: QueueProxyStatError.self) { try QueueProxyStat(protobuf: []) }
        #expect(throws: QueueProxyStatError.self) { try QueueProxyStat(protobuf: Array("queue_requests_per_second 1\n".utf8)) }
        #expect(throws: QueueProxyStatError.self) { try QueueProxyStat.decodeBatch(protobuf: [0x0A, 0x05, 0x01]) }
    }

    @Test func impossibleFiguresAreRejected() {
        var negative = stat
        negative.averageConcurrentRequests = -1
        #expect(throws: QueueProxyStatError(.invalidValue, "average_concurrent_requests is -1.0 for pod \(stat.podName); it must be a finite non-negative number")) {
            try QueueProxyStat(protobuf: negative.protobufBytes())
        }
        var nan = stat
        nan.requestsPerSecond = .nan
        #expect(throws: QueueProxyStatError.self) { try QueueProxyStat(protobuf: nan.protobufBytes()) }
        var anonymous = stat
        anonymous.podName = ""
        #expect(throws: QueueProxyStatError.self) { try QueueProxyStat(protobuf: anonymous.protobufBytes()) }
    }
}
