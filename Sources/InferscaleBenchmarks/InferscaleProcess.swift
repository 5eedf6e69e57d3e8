import AsyncHTTPClient
import NIOCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One `inferscale run` process of the fleet benchmark: the release binary beside the benchmark's, its output in
/// a log file (a pipe nobody reads could block it), its `/metrics` on 127.0.0.1 and its CPU, memory and open files
/// from /proc.
final class InferscaleProcess {
    let identity: String
    let metricsPort: Int
    let log: URL
    private let process = Process()

    /// `inferscale` beside this benchmark binary (`swift build -c release --product inferscale` puts it there).
    static var binary: URL {
        get throws {
            let url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("inferscale")
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw FleetError(message: "\(url.path) is missing: build it beside the benchmark with `swift build -c release --product inferscale-bench --product inferscale`")
            }
            return url
        }
    }

    init(identity: String, arguments: [String], metricsPort: Int, directory: URL) throws {
        self.identity = identity
        self.metricsPort = metricsPort
        log = directory.appendingPathComponent("\(identity).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = try Self.binary
        // INFERSCALE_BENCH_DECISION_LOG=1: each process also writes its decision log beside its log, to read a false
        // scale-down by (off by default: encoding every change costs the process CPU the benchmark measures).
        let decisions = ProcessInfo.processInfo.environment["INFERSCALE_BENCH_DECISION_LOG"] == "1"
            ? ["--decision-log", directory.appendingPathComponent("\(identity).decisions.jsonl").path] : []
        process.arguments = ["run", "--identity", identity, "--http-host", "127.0.0.1", "--http-port", "\(metricsPort)"] + arguments + decisions
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var stats: ProcessStats { ProcessStats(pid: process.processIdentifier) }
    var isRunning: Bool { process.isRunning }

    /// The last lines of its log, for a failure message.
    var logTail: String { String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(1500)) }

    /// Its `/metrics` (nil when it does not answer within 30 s: a 10,000-target page is tens of MB).
    func metrics(_ client: HTTPClient) async -> LoopMetricsSnapshot? {
        guard let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"), timeout: .seconds(30)),
              response.status == .ok, let body = try? await response.body.collect(upTo: 512 << 20) else { return nil }
        return LoopMetricsSnapshot(text: String(buffer: body))
    }

    /// SIGKILL (no release of its Leases), and waits for it.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL if it has not exited within 15 s (it stops within a few seconds by design).
    func stop() async {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGTERM)
        let start = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - start < .seconds(15) { try? await Task.sleep(for: .milliseconds(100)) }
        kill()
    }
}
