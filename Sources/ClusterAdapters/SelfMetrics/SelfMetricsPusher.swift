import AutoscalerCore
import Exposition
import Logging
import Metrics
import RemoteWrite
import ServiceLifecycle

/// Pushes inferscale's own metrics by remote-write: every `interval` it renders the /metrics
/// text, parses it with the same parser that reads pods, and appends every sample with the
/// current time. It also publishes the writer's counters (queue length, sent, retried,
/// failed, dropped) as metrics. A series that disappears gets a stale marker.
public struct SelfMetricsPusher: Service {
    private let writer: RemoteWriter
    private let render: @Sendable () -> [UInt8]
    private let interval: Duration
    private let nowMilliseconds: @Sendable () -> Int64
    private let logger: Logger

    public init(writer: RemoteWriter, render: @escaping @Sendable () -> [UInt8], interval: Duration = .seconds(15),
                nowMilliseconds: @escaping @Sendable () -> Int64, logger: Logger = Logger(label: "inferscale.remote-write")) {
        self.writer = writer
        self.render = render
        self.interval = interval
        self.nowMilliseconds = nowMilliseconds
        self.logger = logger
    }

    public func run() async throws {
        var series: [String: RemoteWriteSeries] = [:]
        var parser = ExpositionParser(format: .prometheusText)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            publishCounters()
            let time = nowMilliseconds()
            var seen: Set<String> = []
            do {
                for family in try parser.parse(render()).families {
                    for sample in family.samples {
                        let key = sample.name + "{" + sample.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "}"
                        seen.insert(key)
                        let s = series[key] ?? writer.makeSeries(RemoteWrite.Labels(
                            [(RemoteWrite.Labels.metricNameLabel, sample.name)] + sample.labels.map { ($0.name, $0.value) }))
                        series[key] = s
                        _ = writer.append(s, value: sample.value, timestamp: time)
                    }
                }
            } catch {
                logger.error("cannot parse our own metrics", metadata: ["inferscale.error": "\(error)"])
            }
            for (key, s) in series where !seen.contains(key) {
                _ = writer.appendStaleMarker(s, timestamp: time)
                series[key] = nil
            }
            do { try await Task.sleep(for: interval) } catch { break }
        }
    }

    private func publishCounters() {
        let c = writer.counters
        Gauge(label: "inferscale_remote_write_queue_length").record(Double(c.queueLength))
        // Counters are cumulative in the writer; publish them as totals.
        Gauge(label: "inferscale_remote_write_samples_sent_total").record(Double(c.samplesSent))
        Gauge(label: "inferscale_remote_write_samples_retried_total").record(Double(c.samplesRetried))
        Gauge(label: "inferscale_remote_write_samples_failed_total").record(Double(c.samplesFailed))
        Gauge(label: "inferscale_remote_write_samples_dropped_total").record(Double(c.samplesDropped))
    }
}
