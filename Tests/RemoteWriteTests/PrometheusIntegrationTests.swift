import Foundation
import Logging
import NIOConcurrencyHelpers
import RemoteWrite
import RemoteWriteTestKit
import Testing

/// End to end against a real Prometheus (Debian's `prometheus`, 2.42 here), started on a free
/// loopback port with `--web.enable-remote-write-receiver`. A missing binary fails these tests
/// (`make deps` installs it).
@Suite(.serialized) struct PrometheusIntegrationTests {
    static let logger = Logger(label: "inferscale.remote-write.it")

    /// How long Prometheus is down in the outage test. The issue asks for 30 s; the test takes
    /// about this long plus ~10 s.
    static let gap: Duration = .seconds(30)

    static func wallClockMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000).rounded()) }

    /// Kills every Prometheus it was given when the test ends, whatever the path, and deletes its files.
    final class Reaper: Sendable {
        let servers = NIOLockedValueBox<[PrometheusServer]>([])
        func keep(_ s: PrometheusServer) -> PrometheusServer {
            servers.withLockedValue { $0.append(s) }
            return s
        }
        /// Call in a `defer` right after creating the reaper (that also keeps it alive to the end).
        func killAndRemoveAll() {
            servers.withLockedValue { all in
                for server in all { server.killNow() }
                for server in all { server.removeFiles() }
            }
        }
    }

    /// Polls Prometheus (it has no change notification) until `check` passes or `timeout` ends.
    static func eventually(_ what: String, timeout: Duration, _ check: () async throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestKitTimeout(message: "timed out after \(timeout) waiting for \(what)")
    }

    @Test func samplesLandWithTheirValuesAndLabelsAfterNegotiatingDownTo1_0() async throws {
        let reaper = Reaper()
        defer { reaper.killAndRemoveAll() }
        let prometheus = reaper.keep(try await PrometheusServer.start())
        var c = RemoteWriteConfiguration(url: prometheus.writeURL)
        c.protocolVersion = .v2  // Prometheus 2.42 ignores 2.0 and answers 204 without written counts
        c.externalLabels = ["cluster": "it"]
        c.queue.batchSendDeadline = .milliseconds(50)
        let writer = try RemoteWriter(configuration: c, logger: Self.logger)
        let base = Self.wallClockMilliseconds() - 60_000
        let targets = ["llama", "mistral", "qwen"]
        let series = targets.map { writer.makeSeries(Labels(name: "rw_it_desired_replicas", ["target": $0, "mode": "stable"]), metadata: .init(type: .gauge)) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            defer { writer.shutdown() }
            for step in 0..<10 {
                for (k, s) in series.enumerated() {
                    #expect(writer.append(s, value: Double(k * 100 + step), timestamp: base + Int64(step) * 1_000))
                }
            }
            // "qwen" ends: its stale marker hides it from instant queries after that time.
            writer.appendStaleMarker(series[2], timestamp: base + 10_000)
            let at = Double(base + 10_500) / 1_000
            try await Self.eventually("30 samples in Prometheus", timeout: .seconds(20)) {
                let result = try await prometheus.query("rw_it_desired_replicas[1m]", at: at)
                return result.reduce(0) { $0 + $1.samples.count } == 30
            }
            let stored = try await prometheus.query("rw_it_desired_replicas[1m]", at: at)
            #expect(stored.count == 3)
            for s in stored {
                let target = try #require(s.labels["target"])
                let k = try #require(targets.firstIndex(of: target))
                #expect(s.labels == ["__name__": "rw_it_desired_replicas", "cluster": "it", "mode": "stable", "target": target])
                #expect(s.samples.map(\.timestamp) == (0..<10).map { base + Int64($0) * 1_000 })
                #expect(s.samples.map(\.value) == (0..<10).map { Double(k * 100 + $0) })
            }
            let instant = try await prometheus.query("rw_it_desired_replicas", at: at)
            #expect(Set(instant.compactMap { $0.labels["target"] }) == ["llama", "mistral"], "the stale marker ended qwen")
        }
        let counters = writer.counters
        #expect(counters.protocolVersion == .v1)
        #expect(counters.samplesSent == 31)
        #expect(counters.samplesFailed == 0)
        await prometheus.stop()
    }

    @Test func samplesProducedWhilePrometheusIsDownArriveInOrderAfterItRestarts() async throws {
        let reaper = Reaper()
        defer { reaper.killAndRemoveAll() }
        let first = reaper.keep(try await PrometheusServer.start())
        var c = RemoteWriteConfiguration(url: first.writeURL)
        c.queue.shards = 2
        c.queue.batchSendDeadline = .milliseconds(100)
        c.queue.maxBackoff = .seconds(2)
        c.remoteTimeout = .seconds(3)
        c.queue.flushTimeout = .seconds(30)
        let writer = try RemoteWriter(configuration: c, logger: Self.logger)
        let series = (0..<4).map { writer.makeSeries(Labels(name: "rw_gap_value", ["series": "\($0)"])) }
        let produced = NIOLockedValueBox<[Int64]>([])
        let clock = ContinuousClock()

        /// Appends one sample per series every 100 ms for `duration` (bounded by count and time).
        func produce(for duration: Duration) async throws {
            let end = clock.now.advanced(by: duration)
            var count = 0
            while clock.now < end, count < 2_000 {
                let ts = Self.wallClockMilliseconds()
                if let last = produced.withLockedValue({ $0.last }), ts <= last { try await Task.sleep(for: .milliseconds(2)); continue }
                for s in series { #expect(writer.append(s, value: Double(ts % 1_000_000), timestamp: ts), "queue overflow at \(ts)") }
                produced.withLockedValue { $0.append(ts) }
                count += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            defer { writer.shutdown() }
            try await produce(for: .seconds(3))
            let port = first.port
            let data = first.dataDirectory
            await first.stop()
            #expect(!first.isRunning)
            try await produce(for: Self.gap)
            #expect(writer.counters.queueLength > 0, "samples of the gap are held")
            let second = reaper.keep(try await PrometheusServer.start(port: port, dataDirectory: data))
            try await produce(for: .seconds(3))
            let timestamps = produced.withLockedValue { $0 }
            let at = Double(timestamps.last! + 1) / 1_000
            let window = "\(Int((Double(timestamps.last! - timestamps.first!) / 1_000).rounded(.up)) + 60)s"
            try await Self.eventually("every produced sample in Prometheus", timeout: .seconds(60)) {
                let result = try await second.query("rw_gap_value[\(window)]", at: at)
                return result.count == 4 && result.allSatisfy { $0.samples.count == timestamps.count }
            }
            let stored = try await second.query("rw_gap_value[\(window)]", at: at)
            for s in stored {
                #expect(s.samples.map(\.timestamp) == timestamps, "series \(s.labels) lost or reordered samples")
                #expect(s.samples.map(\.value) == timestamps.map { Double($0 % 1_000_000) })
            }
            let counters = writer.counters
            #expect(counters.samplesRetried > 0, "the outage was retried: \(counters)")
            #expect(counters.samplesFailed == 0, "nothing rejected (an out-of-order sample would be a 400): \(counters)")
            #expect(counters.samplesDropped == 0)
            await second.stop()
        }
    }
}
