import Foundation
import Logging
import RemoteWrite
import RemoteWriteTestKit
import Testing

/// The writer against the test receiver on 127.0.0.1:0: headers, 2.0 encoding, negotiation,
/// retries, ordering, a dead receiver.
@Suite struct RemoteWriterTests {
    static let logger = Logger(label: "inferscale.remote-write.test")

    func configuration(_ url: String, version: RemoteWriteVersion = .v2) -> RemoteWriteConfiguration {
        var c = RemoteWriteConfiguration(url: url)
        c.protocolVersion = version
        c.queue.batchSendDeadline = .milliseconds(20)
        c.queue.minBackoff = .milliseconds(10)
        c.queue.maxBackoff = .milliseconds(200)
        c.queue.flushTimeout = .seconds(5)
        c.remoteTimeout = .seconds(5)
        return c
    }

    /// Runs `writer` while `body` runs, then shuts it down gracefully and waits for `run()` to return.
    func withRunning<T: Sendable>(_ writer: RemoteWriter, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            do {
                let result = try await body()
                writer.shutdown()
                try await group.waitForAll()
                return result
            } catch {
                writer.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    static let now: Int64 = 1_790_000_000_000

    @Test func v2RequestsCarryTheProtocolHeadersLabelsMetadataAndStaleMarkers() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2)
        defer { Task { await receiver.stop() } }
        var c = configuration(receiver.url)
        c.externalLabels = ["cluster": "test", "job": "ignored-because-the-series-has-one"]
        c.authorization = .bearerToken("s3cret")
        c.headers = ["X-Scope-OrgID": "tenant-1"]
        let writer = try RemoteWriter(configuration: c, logger: Self.logger, jitter: { 0 })
        let desired = writer.makeSeries(Labels(name: "inferscale_desired_replicas", ["target": "llama", "job": "inferscale", "empty": ""]),
                                        metadata: .init(type: .gauge, help: "Desired replicas.", unit: "replicas"))
        let panic = writer.makeSeries(Labels(name: "inferscale_panic_mode", ["target": "llama"]))
        let requests = try await withRunning(writer) {
            #expect(writer.append(desired, value: 3, timestamp: Self.now))
            #expect(writer.append(panic, value: 0, timestamp: Self.now))
            #expect(writer.append(desired, value: 4, timestamp: Self.now + 2_000))
            #expect(writer.appendStaleMarker(desired, timestamp: Self.now + 4_000))
            #expect(writer.append(panic, value: .nan, timestamp: Self.now + 4_000))
            return try await receiver.waitFor("5 accepted samples") { rs in
                rs.filter(\.accepted).reduce(0) { $0 + $1.series.count } == 5
            }
        }
        for r in requests {
            #expect(r.problem == nil)
            #expect(r.decodedAs == .v2)
            #expect(r.header("Content-Encoding") == "snappy")
            #expect(r.header("Content-Type") == "application/x-protobuf;proto=io.prometheus.write.v2.Request")
            #expect(r.header("X-Prometheus-Remote-Write-Version") == "2.0.0")
            #expect(r.header("User-Agent") == "inferscale/0.1 remote-write")
            #expect(r.header("Authorization") == "Bearer s3cret")
            #expect(r.header("X-Scope-OrgID") == "tenant-1")
        }
        let series = requests.flatMap(\.series)
        let desiredSeries = series.filter { $0.labelDictionary["__name__"] == "inferscale_desired_replicas" }
        #expect(desiredSeries.first?.labels == [
            Label(name: "__name__", value: "inferscale_desired_replicas"), Label(name: "cluster", value: "test"),
            Label(name: "job", value: "inferscale"), Label(name: "target", value: "llama"),
        ])
        #expect(desiredSeries.first?.metadata == MetricMetadata(type: .gauge, help: "Desired replicas.", unit: "replicas"))
        #expect(desiredSeries.flatMap(\.samples).map(\.timestamp) == [Self.now, Self.now + 2_000, Self.now + 4_000])
        #expect(desiredSeries.last?.samples.first?.isStaleMarker == true)
        let panicSamples = series.filter { $0.labelDictionary["__name__"] == "inferscale_panic_mode" }.flatMap(\.samples)
        #expect(panicSamples.last?.value.isNaN == true)
        #expect(panicSamples.last?.isStaleMarker == false, "a measured NaN is not sent as the stale marker")
        let counters = writer.counters
        #expect(counters.samplesSent == 5)
        #expect(counters.protocolVersion == .v2)
        #expect(counters.queueLength == 0)
    }

    @Test func basicAuthorization() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2)
        defer { Task { await receiver.stop() } }
        var c = configuration(receiver.url, version: .v1)
        c.authorization = .basic(username: "user", password: "pa:ss")
        let writer = try RemoteWriter(configuration: c, logger: Self.logger, jitter: { 0 })
        let s = writer.makeSeries(Labels(name: "x"))
        let requests = try await withRunning(writer) {
            writer.append(s, value: 1, timestamp: Self.now)
            return try await receiver.waitFor("one request") { !$0.isEmpty }
        }
        #expect(requests[0].header("Authorization") == "Basic dXNlcjpwYTpzcw==")
        #expect(requests[0].header("Content-Type") == "application/x-protobuf")
        #expect(requests[0].header("X-Prometheus-Remote-Write-Version") == "0.1.0")
        #expect(requests[0].accepted)
    }

    @Test(arguments: [RemoteWriteTestReceiver.Behaviour.rejectsV2With415, .ignoresV2])
    func fallsBackToV1ForGoodAndResendsTheSameSamples(behaviour: RemoteWriteTestReceiver.Behaviour) async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: behaviour)
        defer { Task { await receiver.stop() } }
        var c = configuration(receiver.url)
        c.queue.maxSamplesPerSend = 10
        let writer = try RemoteWriter(configuration: c, logger: Self.logger, jitter: { 0 })
        let s = writer.makeSeries(Labels(name: "fallback_test", ["k": "v"]))
        let requests = try await withRunning(writer) {
            for i in 0..<25 { writer.append(s, value: Double(i), timestamp: Self.now + Int64(i)) }
            return try await receiver.waitFor("25 samples written as 1.0") { rs in
                rs.filter { $0.accepted && $0.decodedAs == .v1 }.reduce(0) { $0 + $1.series.count } == 25
            }
        }
        #expect(requests.first?.header("X-Prometheus-Remote-Write-Version") == "2.0.0")
        #expect(requests.first?.status == (behaviour == .rejectsV2With415 ? 415 : 204))
        #expect(requests.first?.series.isEmpty == true, "the 2.0 body wrote nothing")
        let v1 = requests.dropFirst()
        #expect(v1.allSatisfy { $0.header("X-Prometheus-Remote-Write-Version") == "0.1.0" && $0.header("Content-Type") == "application/x-protobuf" })
        #expect(v1.flatMap(\.series).flatMap(\.samples).map(\.timestamp) == (0..<25).map { Self.now + Int64($0) })
        let counters = writer.counters
        #expect(counters.protocolVersion == .v1)
        #expect(counters.samplesSent == 25)
        #expect(counters.samplesFailed == 0)
    }

    @Test func serverErrorsAreRetriedAndEverySeriesStaysInOrderAcrossShards() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2)
        defer { Task { await receiver.stop() } }
        receiver.script([503, 500, 502, 503, 504, 500].map { RemoteWriteTestReceiver.Answer(status: $0) })
        var c = configuration(receiver.url)
        c.queue.shards = 4
        c.queue.maxSamplesPerSend = 50
        let writer = try RemoteWriter(configuration: c, logger: Self.logger, jitter: { 0.5 })
        let series = (0..<40).map { writer.makeSeries(Labels(name: "order_test", ["series": "\($0)"])) }
        try await withRunning(writer) {
            for step in 0..<25 {
                for s in series { #expect(writer.append(s, value: Double(step), timestamp: Self.now + Int64(step) * 1_000)) }
            }
            try await receiver.waitFor("1000 accepted samples", timeout: .seconds(30)) { rs in
                rs.filter(\.accepted).reduce(0) { $0 + $1.series.count } == 1_000
            }
        }
        let accepted = receiver.acceptedSamples
        #expect(accepted.count == 40)
        for (labels, samples) in accepted {
            #expect(samples.map(\.timestamp) == (0..<25).map { Self.now + Int64($0) * 1_000 }, "series \(labels) out of order or incomplete")
            #expect(samples.map(\.value) == (0..<25).map(Double.init))
        }
        let counters = writer.counters
        #expect(counters.samplesSent == 1_000)
        #expect(counters.samplesRetried > 0)
        #expect(counters.samplesFailed == 0)
        #expect(counters.samplesDropped == 0)
        #expect(receiver.requests.filter { $0.status >= 500 }.count == 6)
    }

    @Test func tooManyRequestsWaitsForRetryAfter() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2)
        defer { Task { await receiver.stop() } }
        receiver.script([.init(status: 429, headers: [("Retry-After", "1")])])
        let writer = try RemoteWriter(configuration: configuration(receiver.url), logger: Self.logger, jitter: { 0 })
        let s = writer.makeSeries(Labels(name: "rate_limited"))
        let requests = try await withRunning(writer) {
            writer.append(s, value: 1, timestamp: Self.now)
            return try await receiver.waitFor("the retry after 429") { $0.count == 2 }
        }
        #expect(requests[0].status == 429)
        #expect(requests[1].accepted)
        let gap = requests[0].receivedAt.duration(to: requests[1].receivedAt)
        #expect(gap >= .milliseconds(950), "Retry-After: 1 was honoured (gap \(gap)); the backoff alone would be 10 ms")
        #expect(writer.counters.samplesRetried == 1)
        #expect(writer.counters.samplesSent == 1)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2)
        defer { Task { await receiver.stop() } }
        receiver.script([.init(status: 400)])
        let writer = try RemoteWriter(configuration: configuration(receiver.url), logger: Self.logger, jitter: { 0 })
        let s = writer.makeSeries(Labels(name: "rejected"))
        let requests = try await withRunning(writer) {
            writer.append(s, value: 1, timestamp: Self.now)
            writer.append(s, value: 2, timestamp: Self.now + 1)
            try await receiver.waitFor("the 400") { $0.count == 1 }
            writer.append(s, value: 3, timestamp: Self.now + 2)
            return try await receiver.waitFor("the next batch") { $0.count == 2 }
        }
        // One shard sends in order: had the 400 batch been retried, it would come before sample 3.
        #expect(requests[0].status == 400)
        #expect(requests[1].series.flatMap(\.samples).map(\.value) == [3])
        let counters = writer.counters
        #expect(counters.samplesFailed == 2)
        #expect(counters.samplesRetried == 0)
        #expect(counters.samplesSent == 1)
    }

    @Test func deadReceiverIsRetriedWithinBoundedMemoryAndShutdownAccountsForEverySample() async throws {
        let port = try await PrometheusServer.freePort()  // nothing listens there
        var c = configuration("http://127.0.0.1:\(port)/api/v1/write", version: .v1)
        c.queue.capacity = 100
        c.queue.maxSamplesPerSend = 10
        c.queue.flushTimeout = .milliseconds(500)
        c.remoteTimeout = .seconds(1)
        let writer = try RemoteWriter(configuration: c, logger: Self.logger, jitter: { 0 })
        let s = writer.makeSeries(Labels(name: "nobody_listens"))
        let clock = ContinuousClock()
        var accepted = 0
        var shutdownAt = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            for i in 0..<150 where writer.append(s, value: Double(i), timestamp: Self.now + Int64(i)) { accepted += 1 }
            #expect(writer.counters.queueLength <= 100)
            shutdownAt = clock.now
            writer.shutdown()
            try await group.waitForAll()
        }
        let stopTime = shutdownAt.duration(to: clock.now)
        // A liveness bound, not a speed test: without the flush timeout a dead receiver would be
        // retried for ever. Generous because the machines running CI are shared and noisy.
        #expect(stopTime < .seconds(15), "run() returned \(stopTime) after shutdown; flush is bounded by 500 ms plus one request")
        #expect(accepted == 100)
        let counters = writer.counters
        #expect(counters.samplesSent == 0)
        #expect(counters.queueLength == 0)
        #expect(counters.samplesDropped + counters.samplesFailed == 150, "every sample is accounted for: \(counters)")
        #expect(counters.samplesDropped >= 50)
    }

    @Test func runTwiceIsAClearError() async throws {
        let writer = try RemoteWriter(configuration: configuration("http://127.0.0.1:1/"), logger: Self.logger)
        writer.shutdown()
        try await writer.run()
        await #expect(throws: RemoteWriteError.self) { try await writer.run() }
    }
}

/// HTTPS with a private CA: trusted through `tls.caFile`, refused without it.
@Suite struct RemoteWriterTLSTests {
    @Test func trustsTheReceiverThroughTheCAFile() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2, tls: true)
        defer { Task { await receiver.stop() } }
        let caDirectory = try PrometheusServer.temporaryDirectory(prefix: "inferscale-ca")
        defer { try? FileManager.default.removeItem(atPath: caDirectory) }
        let caFile = caDirectory + "/ca.pem"
        try TestCertificates.caPEM.write(toFile: caFile, atomically: true, encoding: .utf8)
        var c = RemoteWriteConfiguration(url: receiver.url)
        c.protocolVersion = .v2
        c.tls.caFile = caFile
        c.queue.batchSendDeadline = .milliseconds(10)
        let writer = try RemoteWriter(configuration: c, logger: RemoteWriterTests.logger)
        let s = writer.makeSeries(Labels(name: "over_tls"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            defer { writer.shutdown() }
            writer.append(s, value: 42, timestamp: 1_790_000_000_000)
            let requests = try await receiver.waitFor("a request over TLS") { !$0.isEmpty }
            #expect(requests[0].accepted)
            #expect(requests[0].series.first?.samples.first?.value == 42)
        }
        #expect(writer.counters.samplesSent == 1)
    }

    @Test func refusesAnUntrustedReceiverAndCountsTheSample() async throws {
        let receiver = try await RemoteWriteTestReceiver.start(behaviour: .speaksV2, tls: true)
        defer { Task { await receiver.stop() } }
        var c = RemoteWriteConfiguration(url: receiver.url)
        c.queue.batchSendDeadline = .milliseconds(10)
        c.queue.flushTimeout = .milliseconds(300)
        c.remoteTimeout = .seconds(1)
        let writer = try RemoteWriter(configuration: c, logger: RemoteWriterTests.logger)
        let s = writer.makeSeries(Labels(name: "over_tls"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            writer.append(s, value: 42, timestamp: 1_790_000_000_000)
            writer.shutdown()
            try await group.waitForAll()
        }
        let counters = writer.counters
        #expect(receiver.requests.isEmpty)
        #expect(counters.samplesSent == 0)
        #expect(counters.samplesFailed + counters.samplesDropped == 1)
    }
}
