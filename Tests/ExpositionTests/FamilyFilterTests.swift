import Exposition
import Foundation
import PodTestKit
import Testing

/// A filtered parse (`parse(_:keeping:)`) checks the whole body like a full parse and builds only the
/// families kept: the same families, samples and help for those, the same error anywhere else.
@Suite struct FamilyFilterTests {
    /// Full and filtered parse of one body with the same parser settings; the filtered one on a reused parser.
    static func both(_ text: String, keeping names: [String], format: ExpositionFormat = .prometheusText)
        -> (full: Result<ParsedExposition, ExpositionError>, filtered: Result<ParsedExposition, ExpositionError>) {
        var fresh = ExpositionParser(format: format)
        let full = Result { () throws(ExpositionError) in try fresh.parse(Array(text.utf8)) }
        var reused = ExpositionParser(format: format)
        _ = try? reused.parse(Array(text.utf8), keeping: FamilyFilter(names))  // warm its strings first
        let filtered = Result { () throws(ExpositionError) in try reused.parse(Array(text.utf8), keeping: FamilyFilter(names)) }
        return (full, filtered)
    }

    static func kept(_ parsed: ParsedExposition, _ names: [String]) -> [MetricFamily] {
        parsed.families.filter { names.contains($0.name) }
    }

    @Test func theWantedFamilyAfterUnwantedOnesIsWhatAFullParseGives() throws {
        let text = """
        # HELP other_seconds Time spent elsewhere.
        # TYPE other_seconds histogram
        other_seconds_bucket{le="1"} 3
        other_seconds_bucket{le="+Inf"} 4
        other_seconds_sum 2.5
        other_seconds_count 4
        # HELP noise A gauge nobody reads.
        # TYPE noise gauge
        noise{a="x"} 1
        # HELP wanted_total Requests served, with a \\\\ backslash and a \\n newline.
        # TYPE wanted_total counter
        wanted_total{model="m",engine="0"} 7
        wanted_total{model="m",engine="1"} 5

        """
        let (full, filtered) = Self.both(text, keeping: ["wanted_total"])
        let all = try full.get(), some = try filtered.get()
        #expect(some.families.map(\.name) == ["wanted_total"])
        #expect(some.families == Self.kept(all, ["wanted_total"]))
        #expect(some[family: "wanted_total"]?.help == "Requests served, with a \\ backslash and a \n newline.")
        #expect(some[family: "wanted_total"]?.samples.map(\.value) == [7, 5])
        #expect(some[family: "noise"] == nil && some[family: "other_seconds"] == nil)
    }

    @Test func aKeptHistogramKeepsItsBucketsSumAndCount() throws {
        let text = """
        # TYPE a gauge
        a 1
        # TYPE ttft_seconds histogram
        ttft_seconds_bucket{le="0.1"} 1
        ttft_seconds_bucket{le="+Inf"} 2
        ttft_seconds_sum 0.3
        ttft_seconds_count 2

        """
        let (full, filtered) = Self.both(text, keeping: ["ttft_seconds"])
        let some = try filtered.get()
        #expect(some.families == Self.kept(try full.get(), ["ttft_seconds"]))
        #expect(some[family: "ttft_seconds"]?.samples.count == 4)
    }

    @Test func aFamilySplitInRunsIsMergedAsInAFullParse() throws {
        let text = "w{a=\"1\"} 1\nnoise 2\nw{a=\"2\"} 3\n"
        let (full, filtered) = Self.both(text, keeping: ["w"])
        #expect(try filtered.get().families == Self.kept(try full.get(), ["w"]))
        #expect(try filtered.get()[family: "w"]?.samples.map(\.value) == [1, 3])
    }

    /// Malformed metadata, family structure and body ends fail the body exactly where the full parse fails it, in
    /// families that are not kept too; so does a sample line whose name does not make it one of the dropped family's.
    @Test(arguments: [
        "# TYPE noise gauge\n# TYPE noise gauge\n# TYPE w gauge\nw 1\n",             // second TYPE
        "# HELP noise one\n# HELP noise two\n# TYPE w gauge\nw 1\n",                  // second HELP
        "# TYPE noise wobbly\n# TYPE w gauge\nw 1\n",                                // unknown type
        "# TYPE noise gauge\nnoise 1\n# TYPE noise counter\nw 1\n",                  // TYPE after the samples
        "# TYPE w gauge\nw 1\nnoise{a=\"1\",a=\"2\"} 1\n",                           // label twice, first line of a new family
        "# TYPE noise gauge\nnoise 1\nnoise_x{a=\"1\" 2\n# TYPE w gauge\nw 1\n",       // another name: read in full, unclosed
        "# TYPE noise gauge\nnoise!x 1\n# TYPE w gauge\nw 1\n",                       // a character no name has
        "# TYPE noise gauge\nnoise\n# TYPE w gauge\nw 1\n",                            // a name alone on its line
        "# TYPE noise gauge\nnoise 1\n\r noise 2\n# TYPE w gauge\nw 1\n",              // a CR before the name
        "# TYPE w gauge\nw 1\n# TYPE noise gauge\nnoise 1",                            // cut short: no final line feed
        "# TYPE w gauge\nw 1\n# TYPE noise gauge\nnoise 1\nnoise",                     // cut short inside the name
        "<html><body>login</body></html>\n",                                          // not an exposition at all
    ])
    func malformedStructureFailsTheBodyAsAFullParseDoes(_ text: String) {
        let (full, filtered) = Self.both(text, keeping: ["w"])
        guard case .failure(let expected) = full else {
            Issue.record("the full parse accepted \(text.debugDescription)")
            return
        }
        #expect(filtered.failureValue == expected, "\(text.debugDescription)")
    }

    /// A sample line of a family that is not kept is read only up to its name: what follows is never parsed, so
    /// an error there does not fail the body, and the families kept (before, between and after) are exactly what
    /// a full parse of the body without those lines gives. The full parse still rejects each of them.
    @Test(arguments: [
        "noise{a=\"1\" 3",                           // unclosed label set
        "noise{a=\"1\"} abc",                        // value not a number
        "noise 1 12.5",                              // fractional timestamp
        "noise{a=\"1\",a=\"2\"} 1",                   // a label twice
        "noise{a=\"1\"} 1e999",                       // a value beyond a double
        "noise{le=\"x\" # {} 1",                      // junk that an exemplar-looking tail would not save
        "noise\t{a=\"1\"}} 1 2 3",                    // a tab, then a brace too many and extra fields
    ])
    func malformedSamplesOfADroppedFamilyAreSkipped(_ badLine: String) throws {
        func body(_ noise: String) -> String {
            """
            # TYPE before gauge
            before{x="1"} 1
            # HELP noise A gauge nobody reads.
            # TYPE noise gauge
            noise{a="ok"} 1
            \(noise)
            noise{a="ok2"} 2
            # TYPE after_seconds histogram
            after_seconds_bucket{le="1"} 3
            after_seconds_bucket{le="+Inf"} 4
            after_seconds_sum 2.5
            after_seconds_count 4

            """
        }
        let kept = ["before", "after_seconds"]
        var fresh = ExpositionParser(format: .prometheusText)
        #expect(throws: ExpositionError.self) { try fresh.parse(body(badLine)) }
        let clean = try fresh.parse(body("noise{a=\"ok1\"} 1.5"))
        let (_, filtered) = Self.both(body(badLine), keeping: kept)
        let some = try filtered.get()
        #expect(some.families == Self.kept(clean, kept))
        #expect(some.families.map(\.name) == kept)
    }

    /// The dropped family's histogram parts are skipped by name too (bucket, sum and count), and a name that only
    /// starts like one of them opens its own family, as in a full parse.
    @Test func histogramPartsOfADroppedFamilyAreSkippedByName() throws {
        let text = """
        # TYPE h histogram
        h_bucket{le="1"} oops
        h_bucket{le="+Inf"} 4
        h_sum 2.5
        h_count 4
        h_countx{a="1"} 7
        # TYPE w gauge
        w 1

        """
        let some = try FamilyFilterTests.both(text, keeping: ["h_countx", "w"]).filtered.get()
        #expect(some.families.map(\.name) == ["h_countx", "w"])
        #expect(some[family: "h_countx"]?.samples.map(\.value) == [7])
        // Kept, the same histogram fails on its bad bucket value, as in a full parse.
        let (full, filtered) = Self.both(text, keeping: ["h"])
        #expect(full.failureValue?.code == .invalidNumber)
        #expect(filtered.failureValue == full.failureValue)
    }

    /// The sample cap counts skipped lines too: a hostile body of dropped samples is refused as a full parse refuses it.
    @Test func skippedSamplesCountTowardTheCap() {
        var limits = ExpositionParser.Limits()
        limits.maxSamples = 3
        let text = "# TYPE w gauge\nw 1\n# TYPE noise gauge\nnoise 1\nnoise 2\nnoise 3\n"
        var fresh = ExpositionParser(format: .prometheusText, limits: limits)
        var filtered = ExpositionParser(format: .prometheusText, limits: limits)
        let full = Result { () throws(ExpositionError) in try fresh.parse(text) }
        #expect(full.failureValue?.code == .limitExceeded)
        #expect(Result { () throws(ExpositionError) in try filtered.parse(Array(text.utf8), keeping: FamilyFilter(["w"])) }.failureValue == full.failureValue)
    }

    @Test func helpOfAnUnkeptFamilyIsCheckedForUTF8() {
        var bytes = Array("# HELP noise caf".utf8) + [0xC3] + Array(" broken\n# TYPE w gauge\nw 1\n".utf8)
        var fresh = ExpositionParser(format: .prometheusText), filtered = ExpositionParser(format: .prometheusText)
        let full = Result { () throws(ExpositionError) in try fresh.parse(bytes) }
        #expect(full.failureValue?.code == .invalidUTF8)
        #expect(Result { () throws(ExpositionError) in try filtered.parse(bytes, keeping: FamilyFilter(["w"])) }.failureValue == full.failureValue)
        // Valid UTF-8 beyond ASCII is fine.
        bytes = Array("# HELP noise café ✓\n# TYPE w gauge\nw 1\n".utf8)
        #expect((try? filtered.parse(bytes, keeping: FamilyFilter(["w"])))?[family: "w"]?.samples.first?.value == 1)
    }

    @Test func openMetricsKeepsItsStrictness() throws {
        let good = "# TYPE noise gauge\nnoise 1\n# TYPE w counter\nw_total 3\n# EOF\n"
        let (full, filtered) = Self.both(good, keeping: ["w"], format: .openMetrics)
        #expect(try filtered.get().families == Self.kept(try full.get(), ["w"]))
        // Interleaved families and a missing EOF stay errors.
        for bad in ["# TYPE w gauge\nw 1\nnoise 2\nw 3\n# EOF\n", "# TYPE w gauge\nw 1\n"] {
            let (f, k) = Self.both(bad, keeping: ["w"], format: .openMetrics)
            #expect(f.failureValue != nil)
            #expect(k.failureValue == f.failureValue)
        }
        // A malformed sample of a family not kept is skipped by name, as in Prometheus text.
        let skipped = try Self.both("# TYPE noise gauge\nnoise{a=\"1\" 1\n# TYPE w counter\nw_total 3\n# EOF\n", keeping: ["w"],
                                    format: .openMetrics).filtered.get()
        #expect(skipped.families == Self.kept(try full.get(), ["w"]))
    }

    /// A parser reused across filters and bodies remembers per family name what it worked out (the sample names it
    /// accepts, whether the filter keeps it); each parse still gives what a fresh parser gives.
    @Test func aReusedParserFollowsChangesOfFilterAndType() throws {
        let gauge = Array("# TYPE a gauge\na 1\n# TYPE b gauge\nb 2\n".utf8)
        let histogram = Array("# TYPE a histogram\na_bucket{le=\"+Inf\"} 3\na_sum 1\na_count 3\n# TYPE b gauge\nb 4\n".utf8)
        var reused = ExpositionParser(format: .prometheusText)
        for (body, names) in [(gauge, ["a"]), (gauge, ["b"]), (histogram, ["a"]), (gauge, ["a"]), (histogram, ["b"]), (histogram, ["a", "b"])] {
            var fresh = ExpositionParser(format: .prometheusText)
            let expected = try fresh.parse(body, keeping: FamilyFilter(names))
            #expect(try reused.parse(body, keeping: FamilyFilter(names)).families == expected.families, "\(names)")
            #expect(expected.families.map(\.name) == names)
            #expect(try reused.parse(body).families == (try fresh.parse(body)).families)
        }
    }

    /// The scrape payloads: the repository's, and ../shared's (`INFERSCALE_SHARED`) when that folder has any.
    static let payloads: [String] = {
        let shared = SharedData.root.appendingPathComponent("fixtures/metrics")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: shared.path)) ?? []
        return Fixtures.metricNames + files.filter { $0.hasSuffix(".txt") }.sorted().map { shared.appendingPathComponent($0).path }
    }()

    static func payload(_ name: String) throws -> [UInt8] {
        name.hasPrefix("/") ? [UInt8](try Data(contentsOf: URL(fileURLWithPath: name))) : try Fixtures.metrics(name)
    }

    /// Every payload, keeping each of its families in turn, then every other family: the kept families are what the
    /// full parse gives, whatever was dropped before, between or after them.
    @Test(arguments: Self.payloads)
    func everyFamilyOfEveryFixtureMatchesTheFullParse(_ name: String) throws {
        let bytes = try Self.payload(name)
        var fresh = ExpositionParser(format: .prometheusText)
        let all = try fresh.parse(bytes)
        var reused = ExpositionParser(format: .prometheusText)
        for family in all.families {
            let some = try reused.parse(bytes, keeping: FamilyFilter([family.name]))
            #expect(some.families == [family], "\(name): \(family.name)")
        }
        for parity in 0..<2 {
            let names = all.families.enumerated().filter { $0.offset % 2 == parity }.map(\.element.name)
            #expect(try reused.parse(bytes, keeping: FamilyFilter(names)).families == Self.kept(all, names), "\(name): every other family from \(parity)")
        }
        #expect(try reused.parse(bytes, keeping: FamilyFilter([])).families.isEmpty)
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
