import AsyncHTTPClient
import Exposition
import PodTestKit
import RuntimeSignals
import Testing
@testable import Scraping

/// The scrape's fast path — a warm pooled parser, only the runtime's families built, the body decoded
/// on the event loop, the run command's HTTP client — reads what the full decode reads and fails where
/// it fails, with the same failure, except inside a sample line of a family it does not read (skipped by name).
@Suite struct ScrapeFastPathTests {
    static let runtimes: [(String, Runtime)] = [("vllm", .vllm), ("sglang", .sglang), ("tgi", .tgi), ("triton", .triton),
                                                ("queue-proxy-9091", .queueProxy), ("queue-proxy-9091-legacy", .queueProxy)]

    static func fullSignals(_ bytes: [UInt8], _ runtime: Runtime, configuration: ScraperConfiguration = ScraperConfiguration()) throws(ScrapeFailure) -> RuntimeSignals? {
        guard case .exposition(let parsed, _) = try Scraper.decode(bytes, as: .exposition(.prometheusText), from: "u", configuration: configuration) else { return nil }
        return RuntimeSignals(from: parsed, runtime: runtime)
    }

    @Test func signalsMatchTheFullDecodeOnEveryFixture() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let scraper = Scraper(client: client)
        for _ in 0..<3 {  // cold, then warm parsers
            for (name, runtime) in Self.runtimes {
                let bytes = try Fixtures.metrics(name)
                let fast = try scraper.signals(from: bytes, contentType: "text/plain; version=0.0.4", runtime: runtime, source: "u")
                #expect(fast == (try Self.fullSignals(bytes, runtime)), "\(name)")
                #expect(fast != nil)
            }
        }
        try await client.shutdown()
    }

    @Test(arguments: [
        "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 1\n# TYPE noise wobbly\nnoise 2\n",        // malformed metadata, unwanted family
        "vllm:num_requests_running 1\nnoise 2\nnoise 3\nnoise 4\n",                                                     // too many samples (cap 3)
        "vllm:num_requests_running 1\nnoise 2",                                                                        // cut short
        String(repeating: "# padding\n", count: 200),                                                                  // too large (cap 1,000)
    ])
    func failuresAreThoseOfTheFullDecode(_ text: String) async throws {
        var configuration = ScraperConfiguration()
        configuration.maxSamples = 3
        configuration.maxBodyBytes = 1_000
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let scraper = Scraper(configuration: configuration, client: client)
        let bytes = Array(text.utf8)
        let expected = #expect(throws: ScrapeFailure.self) { try Self.fullSignals(bytes, .vllm, configuration: configuration) }
        let fast = #expect(throws: ScrapeFailure.self) {
            try scraper.signals(from: bytes, contentType: nil, runtime: .vllm, source: "u")
        }
        #expect(fast == expected)
        // The parser that failed goes back to the pool and still reads the next body right.
        let good = Array("# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 4\n".utf8)
        #expect(try scraper.signals(from: good, contentType: nil, runtime: .vllm, source: "u")?.runningRequests == 4)
        try await client.shutdown()
    }

    /// A malformed sample line of a family no signal is read from is skipped by its name, not read: the scrape keeps
    /// its signals (the full decode, which reads every line, refuses the body).
    @Test func aMalformedSampleOfAnUnreadFamilyIsSkipped() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let scraper = Scraper(client: client)
        let text = "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 1\n# TYPE noise gauge\nnoise{a=\"1\" 2\n" +
            "# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting 3\n"
        #expect(throws: ScrapeFailure.self) { try Self.fullSignals(Array(text.utf8), .vllm) }
        let fast = try #require(try scraper.signals(from: Array(text.utf8), contentType: nil, runtime: .vllm, source: "u"))
        #expect(fast.runningRequests == 1 && fast.queueDepth == 3)
        try await client.shutdown()
    }

    /// Through `inferscale run`'s client (16 KiB receive buffers: the 26 KB vLLM body takes several reads).
    @Test func aPodScrapeThroughTheRunClientReadsTheWholeBody() async throws {
        let server = CannedMetricsServer()
        let port = try await server.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Scraper.httpClientConfiguration())
        let bytes = try Fixtures.metrics("vllm")
        server.set("/metrics", .init(body: bytes))
        let scraper = Scraper(client: client)
        let target = ScrapeTarget(key: "ns/v", pods: [.init(name: "v-0", ip: "127.0.0.1")], runtime: .vllm, port: port, queueProxy: false)
        let expected = try #require(try Self.fullSignals(bytes, .vllm))
        for round in 1...3 {  // the same kept-alive connection, reused
            let reading = await scraper.scrape(target, at: Double(round))
            #expect(reading.failures.isEmpty, "\(reading.failures)")
            #expect(reading.running == expected.runningRequests)
            #expect(reading.queueDepth == expected.queueDepth)
            #expect(reading.kvCacheUtilization == expected.kvCacheUtilization)
        }
        try await client.shutdown()
        try await server.stop()
    }

    /// Both pod clients (the lean default and async-http-client, kept as the baseline) read the same signals from a pod,
    /// over kept-alive connections, and fail a missing path the same way.
    @Test(arguments: ScraperConfiguration.Client.allCases)
    func eitherPodClientReadsTheSameSignals(_ choice: ScraperConfiguration.Client) async throws {
        let server = CannedMetricsServer()
        let port = try await server.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Scraper.httpClientConfiguration())
        let bytes = try Fixtures.metrics("vllm")
        server.set("/metrics", .init(body: bytes))
        server.set("/gone", .init(status: .notFound, body: []))
        var configuration = ScraperConfiguration()
        configuration.client = choice
        let scraper = Scraper(configuration: configuration, client: client)
        let expected = try #require(try Self.fullSignals(bytes, .vllm))
        for round in 1...2 {
            let reading = await scraper.scrape(ScrapeTarget(key: "ns/v", pods: [.init(name: "v-0", ip: "127.0.0.1")], runtime: .vllm, port: port,
                                                            queueProxy: false), at: Double(round))
            #expect(reading.failures.isEmpty, "\(choice): \(reading.failures)")
            #expect(reading.running == expected.runningRequests && reading.queueDepth == expected.queueDepth, "\(choice)")
        }
        let missing = await scraper.scrape(ScrapeTarget(key: "ns/g", pods: [.init(name: "g-0", ip: "127.0.0.1")], runtime: .vllm, port: port,
                                                        path: "/gone", queueProxy: false), at: 3)
        #expect(missing.failures.map(\.reason) == ["status"], "\(choice)")
        #expect(missing.failures.first?.detail == "HTTP 404", "\(choice)")
        #expect(server.requests("/metrics") == 2)
        try await client.shutdown()
        try await server.stop()
    }

    /// And both cut a pod that drip-feeds its body off at the deadline, with the same failure.
    @Test(arguments: ScraperConfiguration.Client.allCases)
    func eitherPodClientCutsADripFedPodOffAtTheDeadline(_ choice: ScraperConfiguration.Client) async throws {
        let server = DribblingServer(.dripBody(interval: 0.1, lines: 100))
        let port = try await server.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Scraper.httpClientConfiguration())
        var configuration = ScraperConfiguration()
        configuration.client = choice
        configuration.deadlineSeconds = 1
        let scraper = Scraper(configuration: configuration, client: client)
        let started = ContinuousClock.now
        let reading = await scraper.scrape(ScrapeTarget(key: "ns/slow", pods: [.init(name: "s-0", ip: "127.0.0.1")], runtime: .vllm, port: port,
                                                        queueProxy: false), at: 1)
        #expect(reading.failures.map(\.reason) == ["timeout"], "\(choice): \(reading.failures)")
        #expect(reading.failures.first?.detail == "no complete answer within the 1.0 s deadline", "\(choice)")
        #expect(ContinuousClock.now - started >= .milliseconds(900), "\(choice): it failed before the deadline")
        #expect(await server.waitForClose(atMost: 30), "\(choice): the connection stayed open after the deadline")
        // Checked where the pod saw it: when the test task resumes is up to the machine's load.
        #expect(server.connections.first?.completed == false, "\(choice): the whole 10 s answer was sent")
        #expect((server.connections.first?.lifetime ?? .infinity) < 1 + 5, "\(choice): the connection lived \(server.connections.first?.lifetime ?? -1) s")
        try await client.shutdown()
        try await server.stop()
    }
}
