import AutoscalerCore
import ClusterAdapters
import Foundation
import Logging
import RemoteWrite
import RemoteWriteTestKit
import Testing

/// inferscale's own /metrics text arrives at a remote-write receiver, series by series.
@Suite struct SelfMetricsPusherTests {
    @Test func ownMetricsArriveByRemoteWrite() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2)
        var configuration = RemoteWriteConfiguration(url: receiver.url)
        configuration.queue.batchSendDeadline = .milliseconds(50)
        let writer = try RemoteWriter(configuration: configuration, logger: Logger(label: "test"))
        let text = """
            # TYPE inferscale_desired_replicas gauge
            inferscale_desired_replicas{target="llm/chat"} 4
            # TYPE inferscale_leader gauge
            inferscale_leader 1

            """
        let pusher = SelfMetricsPusher(writer: writer, render: { Array(text.utf8) }, interval: .milliseconds(100),
                                       nowMilliseconds: { 1_700_000_000_000 })
        let writing = Task { try await writer.run() }
        let pushing = Task { try await pusher.run() }
        try await receiver.waitFor("both series", timeout: .seconds(10)) { requests in
            Set(requests.filter(\.accepted).flatMap { $0.series.map { "\(RemoteWrite.Labels($0.labels))" } })
                .filter { $0.contains("inferscale_desired_replicas") || $0.contains("inferscale_leader") }.count >= 2
        }
        pushing.cancel()
        writer.shutdown()
        _ = try? await writing.value
        let samples = receiver.acceptedSamples
        let desired = try #require(samples.first { $0.key.contains("inferscale_desired_replicas") && $0.key.contains("llm/chat") })
        #expect(desired.value.first.map { Double(bitPattern: $0.valueBits) } == 4)
        #expect(desired.value.first?.timestamp == 1_700_000_000_000)
        await receiver.stop()
    }
}
