import Foundation
import Logging
import RemoteWrite
import Simulation

/// Pushes a replay's per-second series by remote-write with timestamps shifted so the replay
/// ends now: a replay then looks like a live run in Grafana. Series carry the live catalog's
/// names (`inferscale_desired_replicas`, `inferscale_ready_replicas`) with a `policy` label,
/// plus the load and the queue.
enum SimulationPush {
    struct Outcome {
        var sent: Int
        var failed: Int
        var dropped: Int
    }

    static func push(_ report: SimulationReport, to url: String, target: String, now: Date = Date()) async throws -> Outcome {
        let points = report.series.reduce(0) { $0 + $1.count }
        var configuration = RemoteWriteConfiguration(url: url)
        configuration.queue.capacity = max(points * 4 + 1000, configuration.queue.maxSamplesPerSend)
        configuration.queue.batchSendDeadline = .milliseconds(200)
        configuration.queue.flushTimeout = .seconds(10)
        var logger = Logger(label: "inferscale.simulate.remote-write")
        logger.logLevel = .warning
        let writer = try RemoteWriter(configuration: configuration, logger: logger)
        let running = Task { try await writer.run() }

        let endMs = Int64(now.timeIntervalSince1970 * 1000)
        let durationMs = Int64((report.duration * 1000).rounded())
        for (result, series) in zip(report.results, report.series) {
            func make(_ name: String, _ help: String) -> RemoteWriteSeries {
                writer.makeSeries(Labels(name: name, ["target": target, "policy": result.policy]), metadata: MetricMetadata(type: .gauge, help: help))
            }
            let desired = make("inferscale_desired_replicas", "Replicas the policy asked for (replayed).")
            let ready = make("inferscale_ready_replicas", "Ready replicas (replayed).")
            let arrivals = make("inferscale_simulation_arrivals", "Requests that arrived in the second (replayed trace).")
            let queued = make("inferscale_simulation_queued_requests", "Requests waiting at the gateway and in the runtimes' queues (replayed).")
            for p in series {
                let ts = endMs - durationMs + Int64(p.time * 1000)
                writer.append(desired, value: Double(p.replicas), timestamp: ts)
                writer.append(ready, value: Double(p.ready), timestamp: ts)
                writer.append(arrivals, value: Double(p.arrivals), timestamp: ts)
                writer.append(queued, value: Double(p.queued), timestamp: ts)
            }
        }
        writer.shutdown()
        try await running.value
        let c = writer.counters
        return Outcome(sent: c.samplesSent, failed: c.samplesFailed, dropped: c.samplesDropped)
    }
}
