import AsyncHTTPClient
import Foundation
import PodTestKit
import Scraping
#if canImport(Glibc)
import Glibc
#endif

/// Scrape throughput: 10,000 pods' vLLM metrics served on loopback by a separate process
/// (this binary with `--serve-pods`), scraped by one `Scraper` round with every pod sampled.
/// Prints scrapes per second and CPU seconds per 1,000 scrapes of this process. Goal: the
/// whole round within one 2 s tick. The baseline is the same round against a 1-line body,
/// which isolates the HTTP cost from parsing.
func runScrapeBenchmark(pods: Int) async throws {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--serve-pods"]
    let output = Pipe(), input = Pipe()
    child.standardOutput = output
    child.standardInput = input
    try child.run()
    defer { try? input.fileHandleForWriting.close(); child.waitUntilExit() }
    guard let line = String(data: output.fileHandleForReading.availableData, encoding: .utf8),
          let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        print("scrape: the pod server did not start")
        return
    }
    let client = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
    var configuration = ScraperConfiguration()
    configuration.sampling = .all
    configuration.maxInFlight = 64
    let scraper = Scraper(configuration: configuration, client: client)
    let targets = (0..<pods).map { ScrapeTarget.Pod(name: "pod-\($0)", ip: "127.0.0.1") }

    func round(_ path: String) async -> (seconds: Double, cpu: Double, failures: Int) {
        let cpuBefore = cpuSeconds()
        let start = ContinuousClock.now
        let reading = await scraper.scrape(ScrapeTarget(key: "bench/\(path)", pods: targets, runtime: .vllm, port: port, path: path, queueProxy: false), at: 1)
        let d = ContinuousClock.now - start
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, cpuSeconds() - cpuBefore, reading.failures.count)
    }
    _ = await round("/tiny")  // warm the connection pool
    let baseline = await round("/tiny")
    let real = await round("/metrics")
    print("scrape: \(pods) pods on loopback, one round, every pod sampled, 64 in flight")
    print("  vLLM body: \(format1(real.seconds)) s (\(Int(Double(pods) / real.seconds)) scrapes/s), \(format1(real.cpu / Double(pods) * 1000)) CPU s per 1,000 scrapes, \(real.failures) failures — goal ≤ 2 s")
    print("  baseline 1-line body: \(format1(baseline.seconds)) s; vLLM / baseline = \(format1(real.seconds / baseline.seconds))×")
    try await client.shutdown()
}

/// The child process of the scrape benchmark: serves a vLLM fixture-shaped body on 127.0.0.1
/// until standard input closes.
func servePods() async throws {
    let server = CannedMetricsServer()
    let port = try await server.start()
    var body = "# TYPE vllm:num_requests_waiting gauge\n"
    for i in 0..<40 { body += "vllm:num_requests_waiting{model_name=\"m\",engine=\"\(i)\"} \(i % 5)\n" }
    body += "# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{model_name=\"m\"} 0.42\n"
    body += "# TYPE vllm:prompt_tokens_total counter\nvllm:prompt_tokens_total{model_name=\"m\"} 123456\n"
    server.set("/metrics", .init(body: Array(body.utf8)))
    server.set("/tiny", .init(body: Array("up 1\n".utf8)))
    FileHandle.standardOutput.write(Data("\(port)\n".utf8))
    _ = FileHandle.standardInput.readDataToEndOfFile()
    try await server.stop()
}

private func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
