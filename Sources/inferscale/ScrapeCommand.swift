import ArgumentParser
import AsyncHTTPClient
import Exposition
import RuntimeSignals
import Scraping

/// `inferscale scrape`: what inferscale sees from one endpoint or file — the runtime it
/// recognises and the canonical signals, or the parse error with line and column. A URL is
/// fetched by the `Scraper`, with the deadline, caps and failure reasons of a pod scrape.
struct ScrapeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrape",
        abstract: "Show what inferscale reads from a metrics endpoint or file.",
        discussion: """
            Fetches URL (or reads --file), parses it as Prometheus text 0.0.4, OpenMetrics 1.0 or Knative's \
            queue-proxy protobuf Stat, recognises the runtime (vLLM, SGLang, TGI, Triton, KServe, queue-proxy) \
            and prints the canonical signals it would use. A signal the runtime does not expose is shown as \
            absent, not 0. A malformed body exits with status 1 and the line and column of the problem. \
            A URL is scraped as the autoscaler scrapes a pod: --timeout covers connection, head and body, \
            the body and sample caps apply, and a failed scrape exits with status 2 and its reason \
            (timeout, connect, status, too-large, too-many-samples).

            Examples:
              inferscale scrape http://10.0.0.12:8000/metrics
              inferscale scrape --file vllm.txt
              inferscale scrape --file stats.bin --format protobuf
            """
    )

    @Argument(help: ArgumentHelp("An http(s) URL to fetch.", valueName: "url"))
    var url: String?

    @Option(name: .long, help: ArgumentHelp("Read this file instead of fetching a URL.", valueName: "file"))
    var file: String?

    @Option(name: .long, help: ArgumentHelp("text, openmetrics or protobuf (default: from the Content-Type, else text).", valueName: "format"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("Seconds the whole scrape may take, connection to last byte (the scraper's deadline).", valueName: "seconds"))
    var timeout: Double = ScraperConfiguration().deadlineSeconds

    func validate() throws {
        if (url == nil) == (file == nil) { throw ValidationError("give a URL or --file FILE (one of them)") }
        if let format, !["text", "openmetrics", "protobuf"].contains(format) {
            throw ValidationError("--format must be text, openmetrics or protobuf, got \(format)")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be more than 0 and at most 3600 seconds, got \(timeout)") }
    }

    func run() async throws {
        var configuration = ScraperConfiguration()
        configuration.deadlineSeconds = timeout
        let chosen: ScrapeBodyFormat? = switch format {
        case "protobuf": .queueProxyStat
        case "openmetrics": .exposition(.openMetrics)
        case "text": .exposition(.prometheusText)
        default: nil
        }
        let source = file ?? url!
        let reading: EndpointReading
        do {
            if let file {
                guard let raw = readFileBytes(file) else { throw InputError(message: "cannot read \(file)") }
                reading = try Scraper.decode(raw, as: chosen ?? .exposition(.prometheusText), from: file, configuration: configuration)
            } else {
                reading = try await scrape(source, as: chosen, configuration: configuration)
            }
        } catch let failure as ScrapeFailure {
            if let parseError = failure.parseError {
                printError("error: \(source):\(parseError.line):\(parseError.column): \(parseError.message)")
                throw ExitCode(1)
            }
            if failure.reason == "malformed" {
                printError("error: \(source): malformed: \(failure.detail)")
                throw ExitCode(1)
            }
            throw InputError(message: "cannot scrape \(source): \(failure.reason): \(failure.detail)")
        }
        switch reading {
        case .queueProxyStat(let stat):
            print("queue-proxy stat from pod \(stat.podName)")
            print("  concurrency (not proxied)  \(stat.averageConcurrentRequests - stat.averageProxiedConcurrentRequests)")
            print("  requests/s (not proxied)   \(stat.requestsPerSecond - stat.proxiedRequestsPerSecond)")
            print("  process uptime             \(stat.processUptime) s")
        case .exposition(let parsed, let expositionFormat):
            show(parsed, expositionFormat)
        }
    }

    /// Scrapes `address` through the `Scraper`, as the autoscaler scrapes a pod.
    private func scrape(_ address: String, as format: ScrapeBodyFormat?, configuration: ScraperConfiguration) async throws -> EndpointReading {
        guard address.hasPrefix("http://") || address.hasPrefix("https://") else {
            throw InputError(message: "\(address) is not an http(s) URL")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let scraper = Scraper(configuration: configuration, client: client)
        let result: Result<EndpointReading, ScrapeFailure>
        do {
            result = .success(try await scraper.read(address, as: format))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }

    private func show(_ parsed: ParsedExposition, _ expositionFormat: ExpositionFormat) {
        print("\(parsed.families.count) families, \(parsed.sampleCount) samples (\(expositionFormat == .openMetrics ? "OpenMetrics 1.0" : "Prometheus text 0.0.4"))")
        guard let signals = RuntimeSignals(from: parsed) else {
            print("runtime: not recognised (no vLLM, SGLang, TGI, Triton, KServe or queue-proxy metrics)")
            return
        }
        print("runtime: \(signals.runtime.rawValue)")
        func show(_ name: String, _ v: Double?, _ unit: String) {
            print("  " + name.padding(toLength: 29, withPad: " ", startingAt: 0) + (v.map { "\($0) \(unit)" } ?? "absent"))
        }
        show("concurrency", signals.concurrency, "requests")
        show("queue depth", signals.queueDepth, "requests")
        show("running", signals.runningRequests, "requests")
        show("requests (counter)", signals.requestsTotal, "requests since start")
        show("prompt tokens (counter)", signals.promptTokensTotal, "tokens since start")
        show("generation tokens (counter)", signals.generationTokensTotal, "tokens since start")
        show("KV-cache utilisation", signals.kvCacheUtilization, "(0–1)")
        show("time to first token", signals.timeToFirstToken?.mean, "s mean")
        print("counters become rates across scrapes (tokens/s, requests/s).")
    }
}
