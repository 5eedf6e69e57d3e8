import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A real Prometheus (Debian's `prometheus` binary) started on 127.0.0.1 for tests and
/// benchmarks, with the remote-write receiver enabled.
///
/// Always `stop()` it (use `defer`); `stop()` is idempotent and ends the process with SIGTERM,
/// then SIGKILL if it does not exit in time.
public final class PrometheusServer: Sendable {
    /// The binary cannot be found or the server does not come up.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        /// Prometheus exited because its listen address was taken (its log says so).
        var addressInUse: Bool { message.contains("exited before it was ready") && message.contains("address already in use") }
    }

    /// The port it listens on.
    public let port: Int
    /// The TSDB directory (kept across restarts when reused).
    public let dataDirectory: String
    /// The log file of the process (stdout and stderr).
    public let logFile: String
    private let process: NIOLockedValueBox<ProcessBox>

    struct ProcessBox: @unchecked Sendable {
        var process: Process?
    }

    /// The remote-write endpoint.
    public var writeURL: String { "http://127.0.0.1:\(port)/api/v1/write" }

    /// Finds the binary: `$PROMETHEUS_BINARY`, `/usr/bin/prometheus`, or `prometheus` on `PATH`.
    public static func binaryPath() throws -> String {
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = env["PROMETHEUS_BINARY"], !explicit.isEmpty { candidates.append(explicit) }
        candidates.append("/usr/bin/prometheus")
        for dir in (env["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/prometheus") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw Failure(message: "the prometheus binary was not found (looked at $PROMETHEUS_BINARY, /usr/bin/prometheus and PATH); install it with `make deps` (Debian package `prometheus`) or `apt-get install prometheus`")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// A new empty temporary directory.
    public static func temporaryDirectory(prefix: String = "inferscale-prom") throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts Prometheus and waits until `/-/ready` answers 200.
    ///
    /// - Parameters:
    ///   - port: the port; `nil` picks a free one.
    ///   - dataDirectory: TSDB path; `nil` makes a temporary one. Pass the same one to restart on the same data.
    ///   - readyTimeout: how long to wait for readiness before failing (the process is then killed).
    ///
    /// A port found free can be taken by another process before Prometheus binds it (tests run in parallel): when
    /// Prometheus exits because its address is in use, it is started again, on another free port when none was
    /// given, else on the same one a moment later (at most 5 tries).
    public static func start(port: Int? = nil, dataDirectory: String? = nil, readyTimeout: Duration = .seconds(60)) async throws -> PrometheusServer {
        var attempt = 1
        while true {
            do {
                let chosen: Int
                if let port { chosen = port } else { chosen = try await freePort() }
                return try await launch(port: chosen, dataDirectory: dataDirectory, readyTimeout: readyTimeout)
            } catch let failure as Failure where failure.addressInUse && attempt < 5 {
                attempt += 1
                if port != nil { try await Task.sleep(for: .milliseconds(500)) }
            }
        }
    }

    private static func launch(port: Int, dataDirectory: String?, readyTimeout: Duration) async throws -> PrometheusServer {
        let binary = try binaryPath()
        let data = try dataDirectory ?? temporaryDirectory()
        let configFile = data + ".yml"
        try "global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\n".write(toFile: configFile, atomically: true, encoding: .utf8)
        let logFile = data + ".log"
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        log.seekToEndOfFile()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configFile)",
            "--storage.tsdb.path=\(data)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-remote-write-receiver",
            "--log.level=warn",
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = PrometheusServer(port: port, dataDirectory: data, logFile: logFile, process: process)
        do {
            try await server.waitUntilReady(timeout: readyTimeout)
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    private init(port: Int, dataDirectory: String, logFile: String, process: Process) {
        self.port = port
        self.dataDirectory = dataDirectory
        self.logFile = logFile
        self.process = NIOLockedValueBox(ProcessBox(process: process))
    }

    /// The last lines of the process log, for error messages.
    public func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    private func waitUntilReady(timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if !isRunning {
                throw Failure(message: "prometheus exited before it was ready on port \(port); log:\n\(logTail())")
            }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/-/ready")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) {
                _ = try? await response.body.collect(upTo: 1 << 16)
                if response.status == .ok { return }
            }
            // Readiness has no push notification; poll it at a short, bounded interval.
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(message: "prometheus on port \(port) was not ready after \(timeout); log:\n\(logTail())")
    }

    /// Whether the process is still running.
    public var isRunning: Bool { process.withLockedValue { $0.process?.isRunning ?? false } }

    /// Stops the process: SIGTERM, then SIGKILL after `grace`. Safe to call more than once.
    public func stop(grace: Duration = .seconds(10)) async {
        guard let p = process.withLockedValue({ box in
            defer { box.process = nil }
            return box.process
        }) else { return }
        guard p.isRunning else { return }
        p.terminate()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while p.isRunning, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            while p.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Deletes the TSDB directory, the configuration and the log (call after the process stopped).
    public func removeFiles() {
        for path in [dataDirectory, dataDirectory + ".yml", logFile] {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Kills the process right away (SIGKILL), for `defer` blocks that cannot await.
    public func killNow() {
        process.withLockedValue { box in
            if let p = box.process, p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
    }

    /// A series of a query result with its raw samples.
    public struct QueriedSeries: Sendable, CustomStringConvertible {
        /// Labels of the series.
        public var labels: [String: String]
        /// Samples as (milliseconds since the epoch, value), in Prometheus's order.
        public var samples: [(timestamp: Int64, value: Double)]
        public var description: String { "\(labels) \(samples.count) samples" }
    }

    /// Runs an instant query at `time` (seconds since the epoch) and returns its series; a range
    /// selector such as `metric[1h]` returns the raw stored samples.
    public func query(_ promql: String, at time: Double) async throws -> [QueriedSeries] {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promql), URLQueryItem(name: "time", value: String(format: "%.3f", time))]
        let request = HTTPClientRequest(url: components.url!.absoluteString)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else {
            throw Failure(message: "query '\(promql)' answered \(response.status): \(String(buffer: body))")
        }
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        guard let root = json as? [String: Any], let data = root["data"] as? [String: Any],
              let results = data["result"] as? [[String: Any]] else {
            throw Failure(message: "query '\(promql)': unexpected answer \(String(buffer: body).prefix(300))")
        }
        return results.map { r in
            let labels = (r["metric"] as? [String: String]) ?? [:]
            var pairs: [[Any]] = (r["values"] as? [[Any]]) ?? []
            if let single = r["value"] as? [Any] { pairs = [single] }
            let samples = pairs.compactMap { p -> (Int64, Double)? in
                guard p.count == 2, let t = p[0] as? Double ?? (p[0] as? Int).map(Double.init), let v = p[1] as? String else { return nil }
                return (Int64((t * 1000).rounded()), Double(v) ?? .nan)
            }
            return QueriedSeries(labels: labels, samples: samples.map { (timestamp: $0.0, value: $0.1) })
        }
    }
}
