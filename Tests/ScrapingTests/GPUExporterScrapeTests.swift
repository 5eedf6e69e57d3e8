import AsyncHTTPClient
import PodTestKit
import RuntimeSignals
import Testing
@testable import Scraping

/// GPU exporters scraped over real HTTP on 127.0.0.1 (a GPU agent's body, the dcgm-exporter fixture), joined
/// to two targets' pods: each target gets its own pods' GPU memory only.
@Suite(.serialized) struct GPUExporterScrapeTests {
    /// An agent on node 1 as `inferscale agent` writes it: target a's two pods, target b's pod b-0, and
    /// b-1's GPU, which NVML could not read.
    static let agent = """
        # TYPE inferscale_gpu_up gauge
        inferscale_gpu_up{gpu="0",uuid="GPU-0",model="H100",allocation="exclusive",namespace="llm",pod="a-0",container="server"} 1
        inferscale_gpu_up{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="a-1",container="server"} 1
        inferscale_gpu_up{gpu="2",uuid="GPU-2",model="H100",allocation="exclusive",namespace="llm",pod="b-0",container="server"} 1
        inferscale_gpu_up{gpu="3",uuid="GPU-3",model="H100",allocation="exclusive",namespace="llm",pod="b-1",container="server"} 0
        # TYPE inferscale_gpu_memory_used_ratio gauge
        inferscale_gpu_memory_used_ratio{gpu="0",uuid="GPU-0",model="H100",allocation="exclusive",namespace="llm",pod="a-0",container="server"} 0.9
        inferscale_gpu_memory_used_ratio{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="a-1",container="server"} 0.6
        inferscale_gpu_memory_used_ratio{gpu="2",uuid="GPU-2",model="H100",allocation="exclusive",namespace="llm",pod="b-0",container="server"} 0.25

        """

    func pod(_ name: String) -> PodGPUMemory.Pod { PodGPUMemory.Pod(namespace: "llm", name: name) }

    @Test func eachTargetGetsItsOwnPodsAndAFailedExporterLosesOnlyItsNode() async throws {
        let server = CannedMetricsServer()
        let port = try await server.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        server.set("/agent", .init(body: Array(Self.agent.utf8)))
        server.set("/dcgm", .init(body: try Fixtures.metrics("dcgm-exporter")))
        server.set("/down", .init(status: .serviceUnavailable, body: Array("no".utf8)))
        var configuration = ScraperConfiguration()
        configuration.deadlineSeconds = 2
        let scraper = Scraper(configuration: configuration, client: client)
        let reading = await scraper.scrapeGPUExporters([
            GPUExporter(kind: .agent, url: "http://127.0.0.1:\(port)/agent"),
            GPUExporter(kind: .dcgmExporter, url: "http://127.0.0.1:\(port)/dcgm"),
            GPUExporter(kind: .agent, url: "http://127.0.0.1:\(port)/down"),
        ])
        try await client.shutdown()
        try await server.stop()

        #expect(reading.failures.map(\.reason) == ["status"])
        let a = try #require(reading.memory.reading(of: [pod("a-0"), pod("a-1")]))
        #expect(a.max == 0.9)
        #expect(abs(a.mean - 0.75) < 1e-12)
        #expect(a.missing.isEmpty)
        // b-1's GPU has no reading: b's signal comes from b-0 alone and names b-1 as missing, never zero.
        let b = try #require(reading.memory.reading(of: [pod("b-0"), pod("b-1")]))
        #expect(b.max == 0.25)
        #expect(b.missing == [pod("b-1")])
        #expect(reading.memory.reading(of: [pod("b-1")]) == nil)
        // The dcgm-exporter fixture's pod: FB used 74496 + reserved 520 of 81559 MiB.
        let llama = try #require(reading.memory.reading(of: pod("llama-predictor-00001-deployment-7f9c6d5b8-x2kqp")))
        #expect(abs(llama.max - 75016.0 / 81559.0) < 1e-12)
    }

    @Test func aSlowExporterIsCutAtTheDeadline() async throws {
        let server = CannedMetricsServer()
        let port = try await server.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        server.set("/slow", .init(body: Array(Self.agent.utf8), delay: 5))
        var configuration = ScraperConfiguration()
        configuration.deadlineSeconds = 0.5
        let scraper = Scraper(configuration: configuration, client: client)
        let started = ContinuousClock.now
        let reading = await scraper.scrapeGPUExporters([GPUExporter(kind: .agent, url: "http://127.0.0.1:\(port)/slow")])
        let elapsed = ContinuousClock.now - started
        try await client.shutdown()
        try await server.stop()
        #expect(reading.failures.map(\.reason) == ["timeout"])
        #expect(reading.memory.devices.isEmpty)
        // Before the 5 s answer: the 0.5 s deadline cut it off (loose: the parallel suite stalls tasks on CI).
        #expect(elapsed < .seconds(4.5))
    }
}
