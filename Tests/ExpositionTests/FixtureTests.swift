import PodTestKit
import Testing
import Exposition

/// The real-shaped scrape payloads shipped in PodTestKit's TestData/metrics (Prometheus text 0.0.4).
@Suite struct FixtureTests {
    static func parse(_ name: String) throws -> ParsedExposition {
        var parser = ExpositionParser(format: .prometheusText)
        return try parser.parse(try Fixtures.metrics(name))
    }

    @Test(arguments: Fixtures.metricNames)
    func everyFixtureParses(_ name: String) throws {
        let parsed = try Self.parse(name)
        #expect(!parsed.families.isEmpty)
        #expect(parsed.sampleCount > 10)
        // Every sample line of the file is accounted for.
        let text = String(decoding: try Fixtures.metrics(name), as: UTF8.self)
        let sampleLines = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(parsed.sampleCount == sampleLines.count)
    }

    @Test func vllmValues() throws {
        let parsed = try Self.parse("vllm")
        let waiting = try #require(parsed[family: "vllm:num_requests_waiting"])
        #expect(waiting.type == .gauge)
        #expect(waiting.help == "Number of requests waiting to be processed.")
        let sample = try #require(waiting.samples.first)
        #expect(sample.value == 3.0)
        #expect(sample.labels["model_name"] == "meta-llama/Llama-3.1-8B-Instruct")
        #expect(sample.labels["engine"] == "0")

        let prompt = try #require(parsed[family: "vllm:prompt_tokens_total"])
        #expect(prompt.type == .counter)
        #expect(prompt.samples.first?.value == 1582063.0)
        #expect(parsed[family: "vllm:prompt_tokens_created"]?.samples.first?.value == 1763800000.123)

        // A histogram whose name ends in _total is still a histogram.
        let iteration = try #require(parsed[family: "vllm:iteration_tokens_total"])
        #expect(iteration.type == .histogram)
        let buckets = iteration.samples(named: "vllm:iteration_tokens_total_bucket")
        #expect(buckets.last?.labels["le"] == "+Inf")
        #expect(buckets.last?.value == iteration.samples(named: "vllm:iteration_tokens_total_count").first?.value)
    }

    @Test func tgiCountersWithoutHelpAndUnroundedBounds() throws {
        let parsed = try Self.parse("tgi")
        let failures = try #require(parsed[family: "tgi_request_failure"])
        #expect(failures.type == .counter)
        #expect(failures.help == nil)
        #expect(failures.samples(matching: ["err": "overloaded"]).first?.value == 9)
        #expect(parsed[family: "tgi_queue_size"]?.samples.first?.value == 4)
        let duration = try #require(parsed[family: "tgi_request_duration"])
        #expect(duration.samples.first?.labels["le"] == "0.00015000000000000001")
    }

    @Test func histogramsAreCumulativeInEveryFixture() throws {
        for name in Fixtures.metricNames {
            let parsed = try Self.parse(name)
            for family in parsed.families where family.type == .histogram {
                var previous: [Labels: Double] = [:]
                for sample in family.samples where sample.name.hasSuffix("_bucket") {
                    let group = Labels(sample.labels.filter { $0.name != "le" })
                    #expect(sample.value >= previous[group, default: 0], "\(name) \(family.name)")
                    previous[group] = sample.value
                }
            }
        }
    }

    @Test func fixturesAreNotOpenMetrics() throws {
        // Prometheus text bodies lack "# EOF", so the strict parser must refuse them rather than guess.
        var parser = ExpositionParser(format: .openMetrics)
        #expect(throws: ExpositionError.self) { try parser.parse(try Fixtures.metrics("vllm")) }
    }
}
