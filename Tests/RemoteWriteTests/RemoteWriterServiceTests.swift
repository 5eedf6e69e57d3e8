import Logging
import RemoteWrite
import RemoteWriteTestKit
import ServiceLifecycle
import Testing

/// The writer as a swift-service-lifecycle `Service` in a `ServiceGroup`.
@Suite struct RemoteWriterServiceTests {
    @Test func gracefulShutdownFlushesPartialBatchesThenRunReturns() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2)
        defer { Task { await receiver.stop() } }
        var c = RemoteWriteConfiguration(url: receiver.url)
        c.protocolVersion = .v2
        c.queue.shards = 3
        c.queue.batchSendDeadline = .seconds(3_600)  // only the shutdown flush can send these
        let logger = Logger(label: "inferscale.remote-write.service-test")
        let writer = try RemoteWriter(configuration: c, logger: logger)
        let series = (0..<10).map { writer.makeSeries(Labels(name: "flushed", ["n": "\($0)"])) }
        let group = ServiceGroup(configuration: .init(services: [writer], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for (i, s) in series.enumerated() { #expect(writer.append(s, value: Double(i), timestamp: 1_790_000_000_000)) }
            #expect(receiver.requests.isEmpty)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let accepted = receiver.acceptedSamples
        #expect(accepted.count == 10)
        #expect(writer.counters.samplesSent == 10)
        #expect(writer.counters.queueLength == 0)
    }
}
