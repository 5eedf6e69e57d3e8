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

    /// A filtered parse of every valid case, keeping each family in turn and then every other one, keeps exactly
    /// what the full parse gives: the dropped families' samples, skipped by name, leave the kept ones as they are.
    @Test(arguments: SharedData.conformanceCases)
    func validCaseFilteredKeepsWhatTheFullParseGives(_ name: String) throws {
        let directory = "testdata/openmetrics/parsers/\(name)"
        let expectation = try JSONDecoder().decode(Expectation.self, from: Data(try SharedData.bytes("\(directory)/test.json")))
        guard expectation.shouldParse else { return }
        let body = try SharedData.bytes("\(directory)/\(expectation.file)")
        var fresh = ExpositionParser(format: .openMetrics), reused = ExpositionParser(format: .openMetrics)
        let all = try fresh.parse(body).families
        // Compared as text: some cases hold NaN, which equals nothing.
        for family in all {
            #expect("\(try reused.parse(body, keeping: FamilyFilter([family.name])).families)" == "\([family])", "\(name): \(family.name)")
        }
        for parity in 0..<2 {
            let names = all.enumerated().filter { $0.offset % 2 == parity }.map(\.element.name)
            #expect("\(try reused.parse(body, keeping: FamilyFilter(names)).families)" == "\(all.filter { names.contains($0.name) })", "\(name)")
        }
    }
}
