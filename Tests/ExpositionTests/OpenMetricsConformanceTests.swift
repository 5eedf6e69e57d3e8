import PodTestKit
import Foundation
import Testing
import Exposition

/// The upstream OpenMetrics parser conformance corpus: every valid case parses, every invalid one is rejected.
/// The corpus is not shipped with the repository; without it (`INFERSCALE_SHARED`) the suite is reported as not run.
@Suite(.enabled(if: SharedData.available("testdata/openmetrics/parsers", for: "OpenMetricsConformanceTests"),
                "not run: the OpenMetrics conformance corpus is not in INFERSCALE_SHARED (default ../shared)"))
struct OpenMetricsConformanceTests {
    struct Expectation: Decodable {
        var type: String
        var file: String
        var shouldParse: Bool
    }

    @Test func corpusIsPresent() {
        #expect(SharedData.conformanceCases.count == 211)
    }

    @Test(arguments: SharedData.conformanceCases)
    func conformanceCase(_ name: String) throws {
        let directory = "testdata/openmetrics/parsers/\(name)"
        let expectation = try JSONDecoder().decode(Expectation.self, from: Data(try SharedData.bytes("\(directory)/test.json")))
        #expect(expectation.type == "text")
        let body = try SharedData.bytes("\(directory)/\(expectation.file)")
        var parser = ExpositionParser(format: .openMetrics)
        do {
            let parsed = try parser.parse(body)
            #expect(expectation.shouldParse, "accepted an invalid case: \(name), \(parsed.families.count) families")
        } catch {
            #expect(!expectation.shouldParse, "rejected a valid case: \(name): \(error)")
        }
    }
}
