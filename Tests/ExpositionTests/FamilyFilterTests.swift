import Exposition
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

    /// Malformed lines of families that are not kept fail the body exactly where the full parse fails it.
    @Test(arguments: [
        "# TYPE noise gauge\nnoise{a=\"1\" 3\n# TYPE w gauge\nw 1\n",                // unclosed label set
        "# TYPE noise gauge\nnoise{a=\"1\"} abc\n# TYPE w gauge\nw 1\n",             // value not a number
        "# TYPE noise gauge\nnoise 1 12.5\n# TYPE w gauge\nw 1\n",                   // fractional timestamp
        "# TYPE noise histogram\nnoise_bucket 1\n# TYPE w gauge\nw 1\n",             // bucket without le
        "# TYPE noise gauge\n# TYPE noise gauge\n# TYPE w gauge\nw 1\n",             // second TYPE
        "# HELP noise one\n# HELP noise two\n# TYPE w gauge\nw 1\n",                  // second HELP
        "# TYPE noise wobbly\n# TYPE w gauge\nw 1\n",                                // unknown type
        "# TYPE w gauge\nw 1\nnoise{a=\"1\",a=\"2\"} 1\n",                           // label twice
        "# TYPE w gauge\nw 1\nnoise 1",                                              // cut short: no final line feed
        "<html><body>login</body></html>\n",                                          // not an exposition at all
    ])
    func malformedUnwantedLinesFailTheBodyAsAFullParseDoes(_ text: String) {
        let (full, filtered) = Self.both(text, keeping: ["w"])
        guard case .failure(let expected) = full else {
            Issue.record("the full parse accepted \(text.debugDescription)")
            return
        }
        #expect(filtered.failureValue == expected)
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
    }

    /// Every fixture, keeping each of its families in turn: the kept family is what the full parse gives.
    @Test(arguments: Fixtures.metricNames)
    func everyFamilyOfEveryFixtureMatchesTheFullParse(_ name: String) throws {
        let bytes = try Fixtures.metrics(name)
        var fresh = ExpositionParser(format: .prometheusText)
        let all = try fresh.parse(bytes)
        var reused = ExpositionParser(format: .prometheusText)
        for family in all.families {
            let some = try reused.parse(bytes, keeping: FamilyFilter([family.name]))
            #expect(some.families == [family], "\(name): \(family.name)")
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
