import AsyncHTTPClient
import Exposition
import Foundation
import PodTestKit
import RuntimeSignals
import Scraping
#if canImport(Glibc)
import Glibc
#endif

/// What a pod scrape costs inferscale alone (`--only scrape-cpu [--pods N] [--rounds R] [--client lean|ahc]`): N pods,
/// each its own 127.0.0.0/8 address, served by the fleet benchmark's pod server in a separate process
/// (`--serve-fleet N`, the vllm.txt-shaped body), scraped by the real `Scraper` as N/2 targets of 2 pods per round, all
/// targets at once like the loop's round. Prints CPU µs per pod scrape of this process (user + system), split into
/// parsing (the same body decoded into signals in a loop, in the same run) and the rest (HTTP and the scraper's own
/// work), and RSS: the process before the client exists and after R rounds with every connection held, per 1,000 pods.
/// Without `--client` it runs itself once per client, async-http-client (the baseline) then the lean `PodHTTPClient`,
/// each in a fresh process so that neither inherits the other's memory, and prints the lean / baseline ratios.
func runScrapeCPUBenchmark(pods: Int, rounds: Int, client: ScraperConfiguration.Client?) async throws {
    guard let client else {
        var results: [ScraperConfiguration.Client: [Double]] = [:]
        for each in [ScraperConfiguration.Client.asyncHTTPClient, .lean] {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--only", "scrape-cpu", "--pods", "\(pods)", "--rounds", "\(rounds)", "--client", each.rawValue]
            let output = Pipe()
            child.standardOutput = output
            try child.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            child.waitUntilExit()
            for line in text.split(separator: "\n") {
                if line.hasPrefix(scrapeCPUResultPrefix) {
                    results[each] = line.dropFirst(scrapeCPUResultPrefix.count).split(separator: " ").compactMap { Double($0) }
                } else {
                    print(line)
                }
            }
        }
        guard let ahc = results[.asyncHTTPClient], let lean = results[.lean], ahc.count == 4, lean.count == 4 else {
            print("scrape-cpu: a client's run gave no figures")
            return
        }
        print("scrape-cpu lean / ahc (same run): CPU per pod scrape \(format1(lean[0])) / \(format1(ahc[0])) µs = \(ratio2(lean[0] / ahc[0]))×, HTTP and scraper \(format1(lean[1])) / \(format1(ahc[1])) µs = \(ratio2(lean[1] / ahc[1]))×, RSS per 1,000 pods \(format1(lean[2])) / \(format1(ahc[2])) MiB = \(ratio2(lean[2] / ahc[2]))×, scrapes/s \(format1(lean[3])) / \(format1(ahc[3])) = \(ratio2(lean[3] / ahc[3]))×")
        return
    }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--serve-fleet", "\(pods)"]
    let output = Pipe(), input = Pipe()
    child.standardOutput = output
    child.standardInput = input
    try child.run()
    defer { try? input.fileHandleForWriting.close(); child.waitUntilExit() }
    guard let line = String(data: output.fileHandleForReading.availableData, encoding: .utf8),
          let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        print("scrape-cpu: the pod server did not start")
        return
    }
    let rssBefore = scrapeCPUResidentMiB()
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Scraper.httpClientConfiguration())
    var configuration = ScraperConfiguration()
    configuration.client = client
    let scraper = Scraper(configuration: configuration, client: http)
    let targets = stride(from: 0, to: pods, by: 2).map { first in
        ScrapeTarget(key: "bench/t\(first / 2)", pods: (first..<min(first + 2, pods)).map { ScrapeTarget.Pod(name: "p\($0)", ip: FleetAddresses.ip($0)) },
                     runtime: .vllm, port: port, path: "/metrics", queueProxy: false)
    }
    var reasons: [String: Int] = [:]
    func round(at seconds: Double) async -> (scraped: Int, failed: Int) {
        let (scraped, failures) = await withTaskGroup(of: TargetReading.self) { group in
            for target in targets { group.addTask { await scraper.scrape(target, at: seconds) } }
            var total = (0, [ScrapeFailure]())
            for await r in group { total.0 += r.podsScraped; total.1 += r.failures }
            return total
        }
        for f in failures { reasons[f.reason, default: 0] += 1 }
        return (scraped, failures.count)
    }
    // One round opens every connection; its CPU (connects) is not the steady state's.
    let warm = await round(at: 0)
    var scraped = 0, failed = 0
    let cpuBefore = scrapeCPUSeconds()
    let start = ContinuousClock.now
    for r in 1...max(1, rounds) {
        let counts = await round(at: Double(r))
        scraped += counts.scraped
        failed += counts.failed
    }
    let wall = ContinuousClock.now - start
    let cpu = scrapeCPUSeconds() - cpuBefore
    let rssAfter = scrapeCPUResidentMiB()

    // The baseline, in the same run: the same body, decoded into signals as a scrape does, with no HTTP.
    let body = try Fixtures.metrics("vllm")
    let parses = 20_000
    var signals = 0
    let parseBefore = scrapeCPUSeconds()
    for _ in 0..<parses {
        if (try? scraper.signals(from: body, contentType: "text/plain; version=0.0.4", runtime: .vllm, source: "bench"))??.runningRequests != nil { signals += 1 }
    }
    let parseCPU = (scrapeCPUSeconds() - parseBefore) / Double(parses)

    let perScrape = cpu / Double(max(1, scraped - failed))
    print("scrape-cpu, client \(client.rawValue): \(pods) pods (\(targets.count) targets × 2) on distinct loopback addresses, \(rounds) rounds after a warm-up round (\(warm.failed) failed), vLLM body \(body.count) bytes")
    print("  CPU per pod scrape (this process): \(format1(perScrape * 1e6)) µs — parse \(format1(parseCPU * 1e6)) µs (\(signals == parses ? "signals read" : "SIGNALS MISSING")), HTTP and scraper \(format1((perScrape - parseCPU) * 1e6)) µs; scrape / parse = \(format1(perScrape / parseCPU))× — goal ≤ 100 µs")
    print("  \(scraped) scrapes, \(failed) failed\(reasons.isEmpty ? "" : " (" + reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"), \(format1(Double(scraped) / wall.benchSeconds)) scrapes/s, \(format1(cpu / wall.benchSeconds)) CPU s/s")
    print("  RSS \(format1(rssBefore)) MiB before the client, \(format1(rssAfter)) MiB after (\(format1((rssAfter - rssBefore) / Double(pods) * 1000)) MiB per 1,000 pods, connections held)")
    print("\(scrapeCPUResultPrefix)\(perScrape * 1e6) \((perScrape - parseCPU) * 1e6) \((rssAfter - rssBefore) / Double(pods) * 1000) \(Double(scraped) / wall.benchSeconds)")
    scraper.closeIdleConnections()
    try await http.shutdown()
}

/// The line a client's run ends with for the comparing run: µs per scrape, µs of it not parsing, MiB per 1,000 pods, scrapes/s.
private let scrapeCPUResultPrefix = "scrape-cpu-result "

private func scrapeCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

private func scrapeCPUResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kib = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
    return kib / 1024
}

private func ratio2(_ v: Double) -> String { String(format: "%.2f", v) }
