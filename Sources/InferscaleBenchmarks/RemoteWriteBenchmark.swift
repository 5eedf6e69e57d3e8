import Foundation
import Logging
import RemoteWrite
import RemoteWriteTestKit

/// Remote-write benchmarks: encoding + snappy on one core against a memcpy baseline, and end to
/// end into a real Prometheus when the binary is installed. Bounded in count and time.
func runRemoteWriteBenchmarks() async {
    print("== remote-write ==")
    encodeBenchmark()
    await endToEndBenchmark()
}

/// A realistic batch: 2,000 distinct series (one sample each, as one scrape tick produces).
private func makeBatch(interner: SymbolInterner, series count: Int = 2_000, metadata: Bool = true) -> [PendingSample] {
    let metrics = ["inferscale_desired_replicas", "inferscale_ready_replicas", "inferscale_stable_value", "inferscale_panic_value"]
    return (0..<count).map { i in
        let labels = Labels(name: metrics[i % metrics.count], [
            "namespace": "serving-\(i % 8)", "target": "model-\(i / 4)", "metric": "tokens_per_second",
            "pod": "model-\(i / 4)-predictor-7d9f8b6c5-\(String(i, radix: 36))", "cluster": "prod-eu-1",
        ])
        let series = RemoteWriteSeries(labels: labels, metadata: metadata ? .init(type: .gauge, help: "Benchmark series.") : nil, interner: interner)
        return PendingSample(series: series, value: Double(i) * 1.25, timestamp: 1_790_000_000_000 + Int64(i))
    }
}

private func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// The best rate (items per second) of `rounds` rounds, each at most `maxIterations` calls and
/// `maxTime`; the best round is the one least disturbed by other work on a shared machine.
private func bestRate(rounds: Int = 5, maxIterations: Int, maxTime: Duration = .milliseconds(600), itemsPerCall: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var best = 0.0
    for _ in 0..<rounds {
        var iterations = 0
        let start = clock.now
        while iterations < maxIterations, start.duration(to: clock.now) < maxTime {
            body()
            iterations += 1
        }
        best = Swift.max(best, Double(iterations * itemsPerCall) / seconds(start.duration(to: clock.now)))
    }
    return best
}

private func encodeBenchmark() {
    let interner = SymbolInterner()
    let withMetadata = makeBatch(interner: interner)
    let withoutMetadata = makeBatch(interner: interner, metadata: false)
    print("encode benchmarks: batches of 2,000 distinct series (6 labels each), one core, best of 5 rounds of <= 400,000 samples or 0.6 s")
    for (version, batch, name) in [(RemoteWriteVersion.v1, withMetadata, "1.0"), (.v2, withMetadata, "2.0"), (.v2, withoutMetadata, "2.0 without metadata")] {
        var encoder = WriteRequestEncoder()
        var plain: [UInt8] = []
        var compressed: [UInt8] = []
        // Warm-up sizes the buffers.
        encoder.encode(batch, version: version, into: &plain)
        encoder.encodeCompressed(batch, version: version, into: &compressed)

        let fullRate = bestRate(maxIterations: 200, itemsPerCall: batch.count) {
            encoder.encodeCompressed(batch, version: version, into: &compressed)
        }
        let encodeRate = bestRate(maxIterations: 200, itemsPerCall: batch.count) {
            encoder.encode(batch, version: version, into: &plain)
        }
        // Baseline: copying the same number of bytes (the uncompressed message) into a reused buffer.
        var copy = [UInt8](repeating: 0, count: plain.count)
        let copyRate = bestRate(maxIterations: 2_000, itemsPerCall: batch.count) {
            copy.withUnsafeMutableBytes { dst in plain.withUnsafeBytes { src in dst.copyMemory(from: src) } }
        }
        precondition(copy == plain)
        print(String(
            format: "remote-write %@ encode+snappy: %.0f samples/s (goal >= 1,000,000) | encode only %.0f samples/s | %d B/sample raw, %.1f B/sample compressed (%.1fx) | baseline memcpy of the raw bytes %.0f samples/s; encode+snappy takes %.0fx the memcpy time",
            name, fullRate, encodeRate, plain.count / batch.count, Double(compressed.count) / Double(batch.count),
            Double(plain.count) / Double(compressed.count), copyRate, copyRate / fullRate
        ))
    }
}

private func endToEndBenchmark() async {
    guard (try? PrometheusServer.binaryPath()) != nil else {
        print("remote-write end to end: skipped, the prometheus binary is not installed (make deps installs it)")
        return
    }
    let seriesCount = 1_000
    let steps = 500  // 500,000 samples
    let total = seriesCount * steps
    let prometheus: PrometheusServer
    do {
        prometheus = try await PrometheusServer.start()
    } catch {
        print("remote-write end to end: Prometheus did not start: \(error)")
        return
    }
    defer {
        prometheus.killNow()
        prometheus.removeFiles()
    }

    var configuration = RemoteWriteConfiguration(url: prometheus.writeURL)
    configuration.queue.shards = 4
    configuration.queue.capacity = total / 4 + 50_000
    configuration.queue.maxSamplesPerSend = 2_000
    configuration.queue.batchSendDeadline = .milliseconds(50)
    var logger = Logger(label: "inferscale.bench.remote-write")
    logger.logLevel = .warning
    let writer: RemoteWriter
    do {
        writer = try RemoteWriter(configuration: configuration, logger: logger)
    } catch {
        print("remote-write end to end: \(error)")
        return
    }
    let series = (0..<seriesCount).map { writer.makeSeries(Labels(name: "rw_bench_value", ["series": "\($0)", "target": "model-\($0 % 50)"])) }
    let base = Int64((Date().timeIntervalSince1970 * 1_000).rounded()) - Int64(steps) * 1_000
    let clock = ContinuousClock()
    let runner = Task { try await writer.run() }
    let start = clock.now
    var accepted = 0
    for step in 0..<steps {
        for s in series where writer.append(s, value: Double(step), timestamp: base + Int64(step) * 1_000) { accepted += 1 }
    }
    let appended = clock.now
    let limit = start.advanced(by: .seconds(120))
    while writer.counters.samplesSent + writer.counters.samplesFailed < accepted, clock.now < limit {
        try? await Task.sleep(for: .milliseconds(5))
    }
    let elapsed = start.duration(to: clock.now)
    let counters = writer.counters
    writer.shutdown()
    _ = try? await runner.value
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    var stored = "?"
    if let result = try? await prometheus.query("sum(count_over_time(rw_bench_value[\(steps + 60)s]))", at: Double(base + Int64(steps) * 1_000) / 1_000),
       let value = result.first?.samples.first?.value {
        stored = String(Int(value))
    }
    print(String(
        format: "remote-write end to end into Prometheus (1.0, 4 shards, 2,000/request): %.0f samples/s (goal >= 100,000) | %d samples, %d accepted, %@ stored per Prometheus, appends took %.2f s, all sent after %.2f s | %@",
        Double(counters.samplesSent) / seconds, total, accepted, stored,
        Double(start.duration(to: appended).components.attoseconds) / 1e18 + Double(start.duration(to: appended).components.seconds), seconds,
        counters.description
    ))
    await prometheus.stop()
}
