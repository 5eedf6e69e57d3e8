import ArgumentParser
import AsyncHTTPClient
import Exposition
import NIOCore
import RuntimeSignals

/// `inferscale scrape`: what inferscale sees from one endpoint or file — the runtime it
/// recognises and the canonical signals, or the parse error with line and column.
struct ScrapeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrape",
        abstract: "Show what inferscale reads from a metrics endpoint or file.",
        discussion: """
            Fetches URL (or reads --file), parses it as Prometheus text 0.0.4, OpenMetrics 1.0 or Knative's \
            queue-proxy protobuf Stat, recognises the runtime (vLLM, SGLang, TGI, Triton, KServe, queue-proxy) \
            and prints the canonical signals it would use. A signal the runtime does not expose is shown as \
            absent, not 0. A malformed body exits with status 1 and the line and column of the problem.

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

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the endpoint.", valueName: "seconds"))
    var timeout: Double = 3

    func validate() throws {
        if (url == nil) == (file == nil) { throw ValidationError("give a URL or --file FILE (one of them)") }
        if let format, !["text", "openmetrics", "protobuf"].contains(format) {
            throw ValidationError("--format must be text, openmetrics or protobuf, got \(format)")
        }
    }

    func run() async throws {
        var bytes: [UInt8]
        var contentType: String?
        if let file {
            guard let raw = readFileBytes(file) else { throw InputError(message: "cannot read \(file)") }
            bytes = raw
        } else {
            (bytes, contentType) = try await fetch(url!)
        }
        let chosen = format ?? (contentType?.hasPrefix("application/protobuf") == true ? "protobuf" : nil)
        if chosen == "protobuf" {
            do {
                let stat = try QueueProxyStat(protobuf: bytes)
                print("queue-proxy stat from pod \(stat.podName)")
                print("  concurrency (not proxied)  \(stat.averageConcurrentRequests - stat.averageProxiedConcurrentRequests)")
                print("  requests/s (not proxied)   \(stat.requestsPerSecond - stat.proxiedRequestsPerSecond)")
                print("  process uptime             \(stat.processUptime) s")
                return
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
        let expositionFormat: ExpositionFormat = chosen == "openmetrics" ? .openMetrics
            : chosen == "text" ? .prometheusText
            : contentType.flatMap(ExpositionFormat.init(contentType:)) ?? .prometheusText
        var parser = ExpositionParser(format: expositionFormat)
        let parsed: ParsedExposition
        do {
            parsed = try parser.parse(bytes)
        } catch {
            printError("error: \(file ?? url ?? ""):\(error.line):\(error.column): \(error.message)")
            throw ExitCode(1)
        }
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

    private func fetch(_ address: String) async throws -> ([UInt8], String?) {
        guard address.hasPrefix("http://") || address.hasPrefix("https://") else {
            throw InputError(message: "\(address) is not an http(s) URL")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var request = HTTPClientRequest(url: address)
            request.headers.add(name: "Accept", value: "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5")
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            guard response.status == .ok else {
                try await client.shutdown()
                throw InputError(message: "\(address) answered HTTP \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: 16 << 20)
            let type = response.headers.first(name: "Content-Type")
            try await client.shutdown()
            return (Array(body.readableBytesView), type)
        } catch let error as InputError {
            throw error
        } catch {
            try? await client.shutdown()
            throw InputError(message: "cannot fetch \(address): \(error)")
        }
    }
}
