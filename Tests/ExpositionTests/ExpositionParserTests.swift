import Testing
import Exposition

@Suite struct ExpositionParserTests {
    func text(_ body: String) throws(ExpositionError) -> ParsedExposition {
        var parser = ExpositionParser(format: .prometheusText)
        return try parser.parse(body)
    }

    func openMetrics(_ body: String) throws(ExpositionError) -> ParsedExposition {
        var parser = ExpositionParser(format: .openMetrics)
        return try parser.parse(body)
    }

    func error(_ format: ExpositionFormat, _ body: String) -> ExpositionError? {
        var parser = ExpositionParser(format: format)
        do {
            _ = try parser.parse(body)
            return nil
        } catch {
            return error
        }
    }

    @Test func prometheusTextIsLenient() throws {
        let parsed = try text("""
            # A free comment
            # HELP up  Whether the target is up.
            # TYPE up gauge

            up { job = "a" , instance="b", }   1   1700000000123
            up{job="c"}\t0
            untyped_thing 2.5e3

            """)
        let up = try #require(parsed[family: "up"])
        #expect(up.help == "Whether the target is up.")
        #expect(up.samples.count == 2)
        #expect(up.samples[0].labels == ["job": "a", "instance": "b"])
        #expect(up.samples[0].timestamp == 1_700_000_000.123)
        #expect(up.samples[1].value == 0)
        #expect(parsed[family: "untyped_thing"]?.type == .unknown)
        #expect(parsed[family: "untyped_thing"]?.samples.first?.value == 2500)
    }

    @Test func specialValuesAndFloatForms() throws {
        let parsed = try text("a NaN\nb +Inf\nc -Inf\nd 14\ne 14.0\nf .5\ng 1e-3\nh 0.013300656000000001\ni 9223372036854775808\n")
        let values = parsed.families.map { $0.samples[0].value }
        #expect(values[0].isNaN)
        #expect(values[1] == .infinity && values[2] == -.infinity)
        #expect(Array(values[3...]) == [14, 14, 0.5, 0.001, 0.013300656000000001, 9223372036854775808])
    }

    @Test func labelEscapes() throws {
        let parsed = try openMetrics(#"""
            # TYPE a gauge
            a{x="q\"uote",y="back\\slash",z="new\nline",w="\other"} 1
            # EOF

            """#)
        let labels = try #require(parsed[family: "a"]?.samples.first?.labels)
        #expect(labels["x"] == "q\"uote")
        #expect(labels["y"] == "back\\slash")
        #expect(labels["z"] == "new\nline")
        #expect(labels["w"] == "\\other")
    }

    @Test func openMetricsFamiliesUseTheirBaseName() throws {
        let parsed = try openMetrics("""
            # TYPE requests counter
            # HELP requests Requests served.
            requests_total{code="200"} 10 # {trace_id="abc"} 1 1700000000.5
            requests_created{code="200"} 1700000000
            # TYPE latency_seconds histogram
            # UNIT latency_seconds seconds
            latency_seconds_bucket{le="0.1"} 1
            latency_seconds_bucket{le="+Inf"} 3
            latency_seconds_count 3
            latency_seconds_sum 0.9
            # EOF
            """)
        let requests = try #require(parsed[family: "requests"])
        #expect(requests.type == .counter)
        #expect(requests.samples.map(\.name) == ["requests_total", "requests_created"])
        let exemplar = try #require(requests.samples[0].exemplar)
        #expect(exemplar.labels["trace_id"] == "abc")
        #expect(exemplar.value == 1 && exemplar.timestamp == 1_700_000_000.5)
        let latency = try #require(parsed[family: "latency_seconds"])
        #expect(latency.unit == "seconds")
        #expect(latency.samples.count == 4)
    }

    @Test func errorsCarryLineAndColumn() throws {
        let bad = try #require(error(.prometheusText, "ok 1\nbroken{a=\"1\" 2\n"))
        #expect(bad.line == 2)
        #expect(bad.column == 14) // at the '2' where ',' or '}' was expected
        #expect(bad.code == .invalidLabels)
        #expect(bad.description.hasPrefix("2:14: "))

        let number = try #require(error(.prometheusText, "a 1\nb 12x\n"))
        #expect((number.line, number.column, number.code) == (2, 3, .invalidNumber))

        let eof = try #require(error(.openMetrics, "a 1\n"))
        #expect(eof.code == .endOfFile)
        #expect(eof.line == 2)
    }

    @Test func prometheusTextStillRejectsGarbage() {
        #expect(error(.prometheusText, "<html><body>502 Bad Gateway</body></html>\n") != nil)
        #expect(error(.prometheusText, "a{b=\"unterminated} 1\n") != nil)
        #expect(error(.prometheusText, "a 1 notatimestamp\n") != nil)
        #expect(error(.prometheusText, "# TYPE a gauge\n# TYPE a gauge\n") != nil)
        #expect(error(.prometheusText, "# TYPE a histogram\na_bucket 1\n")?.code == .typeViolation)
        #expect(error(.prometheusText, "a 1 # {trace=\"x\"} 1\n") != nil)
        #expect(error(.prometheusText, "a{x=\"\u{FFFD}\"} 1\n") == nil)
        #expect(error(.prometheusText, "a{x=\"ok\",x=\"again\"} 1\n")?.code == .invalidLabels)
    }

    @Test func invalidUTF8IsRejected() throws {
        var parser = ExpositionParser(format: .prometheusText)
        let body: [UInt8] = Array("a{x=\"".utf8) + [0xC3, 0x28] + Array("\"} 1\n".utf8)
        #expect(throws: ExpositionError.self) { try parser.parse(body) }
    }

    @Test func splitFamiliesInPrometheusTextAreMerged() throws {
        let parsed = try text("a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n")
        #expect(parsed.families.map(\.name) == ["a", "b"])
        #expect(parsed[family: "a"]?.samples.map(\.value) == [1, 3])
        // OpenMetrics forbids the same thing.
        #expect(error(.openMetrics, "a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n# EOF\n")?.code == .familyOrder)
    }

    @Test func limitsAreEnforced() {
        var limits = ExpositionParser.Limits()
        limits.maxSamples = 2
        var parser = ExpositionParser(format: .prometheusText, limits: limits)
        #expect(throws: ExpositionError.self) { try parser.parse("a 1\nb 2\nc 3\n") }
        limits = ExpositionParser.Limits()
        limits.maxLabelsPerSample = 1
        parser = ExpositionParser(format: .prometheusText, limits: limits)
        #expect(throws: ExpositionError.self) { try parser.parse("a{x=\"1\",y=\"2\"} 1\n") }
    }

    @Test func parserIsReusableAcrossBodies() throws {
        var parser = ExpositionParser(format: .prometheusText)
        let first = try parser.parse("m{model=\"a-long-model-name-beyond-small-strings\"} 1\n")
        #expect(throws: ExpositionError.self) { try parser.parse("m{model=\"x\" 1\n") }
        let second = try parser.parse("m{model=\"a-long-model-name-beyond-small-strings\"} 2\n")
        #expect(first[family: "m"]?.samples.first?.labels == second[family: "m"]?.samples.first?.labels)
        #expect(second[family: "m"]?.samples.first?.value == 2)
    }

    @Test func visitorSeesFamiliesAndSamplesInOrder() throws {
        struct Recorder: ExpositionVisitor {
            var events: [String] = []
            mutating func beginFamily(name: String, type: MetricType, help: String?, unit: String?) {
                events.append("family \(name) \(type.rawValue)")
            }
            mutating func sample(_ sample: Sample) {
                events.append("\(sample.name)\(sample.labels) \(sample.value)")
            }
        }
        var parser = ExpositionParser(format: .prometheusText)
        var recorder = Recorder()
        let body = Array("# TYPE q gauge\nq{a=\"1\"} 3\n# TYPE r counter\n".utf8)
        try body.withUnsafeBytes { buffer in try parser.parse(buffer, into: &recorder) }
        #expect(recorder.events == ["family q gauge", "q{a=\"1\"} 3.0", "family r counter"])
    }

    @Test(arguments: [
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat?.some(.openMetrics)),
        ("application/openmetrics-text", .openMetrics),
        ("Text/Plain; version=0.0.4; charset=utf-8", .prometheusText),
        ("text/plain", .prometheusText),
        ("application/openmetrics-text; version=2.0.0", nil),
        ("application/protobuf", nil),
        ("text/html", nil),
    ])
    func contentTypeSelection(_ header: String, _ expected: ExpositionFormat?) {
        #expect(ExpositionFormat(contentType: header) == expected)
    }

    /// The parser reuses the previous line's names and values when the bytes match; near misses must not.
    @Test(arguments: ExpositionFormat.allCases)
    func previousLineReuseDoesNotConfuseNearMisses(_ format: ExpositionFormat) throws {
        var parser = ExpositionParser(format: format)
        let body = #"""
            ab{x="ab",yy="1"} 1
            ab{x="ab\\c",yy="1"} 2
            ab{x="abc",y="1"} 3
            ab{xy="ab",yy="1"} 4
            ab{x="a",yy="1"} 5
            ab{x="",yy="1"} 6
            ab{x="ab\"",yy="1"} 7

            """# + (format == .openMetrics ? "# EOF\n" : "")
        let samples = try #require(try parser.parse(body)[family: "ab"]?.samples)
        #expect(samples.map(\.labels) == [
            ["x": "ab", "yy": "1"], ["x": #"ab\c"#, "yy": "1"], ["x": "abc", "y": "1"], ["xy": "ab", "yy": "1"],
            ["x": "a", "yy": "1"], ["x": "", "yy": "1"], ["x": #"ab""#, "yy": "1"],
        ])
        let split = "ab 1\nabc 2\nab 3\n" + (format == .openMetrics ? "# EOF\n" : "")
        if format == .prometheusText {
            let names = try parser.parse(split)
            #expect(names.families.map(\.name) == ["ab", "abc"])
            #expect(names[family: "ab"]?.samples.map(\.value) == [1, 3])
        } else {
            #expect(throws: ExpositionError.self) { try parser.parse(split) }
        }
    }

    @Test func longUnitsAreKeptWhole() throws {
        let unit = String(repeating: "kilo", count: 20) + "bytes"
        let parsed = try openMetrics("# TYPE size_\(unit) gauge\n# UNIT size_\(unit) \(unit)\nsize_\(unit) 1\n# EOF\n")
        #expect(parsed.families.first?.unit == unit)
    }

    @Test func prometheusTextAcceptsCRLF() throws {
        let parsed = try text("# HELP a Some help.\r\n# TYPE a gauge\r\na{x=\"1\"} 2\r\nb 3 1000\r\n")
        #expect(parsed[family: "a"]?.help == "Some help.")
        #expect(parsed[family: "a"]?.samples.first?.value == 2)
        #expect(parsed[family: "b"]?.samples.first?.timestamp == 1)
        #expect(error(.openMetrics, "a 1\r\n# EOF\r\n") != nil)
    }

    @Test func clearingTheStringTableForgetsCachedBounds() throws {
        var limits = ExpositionParser.Limits()
        limits.maxRetainedStrings = 1 // clear before every parse
        var parser = ExpositionParser(format: .openMetrics, limits: limits)
        func body(_ first: String, _ second: String) -> String {
            "# TYPE a histogram\na_bucket{le=\"\(first)\"} 0\na_bucket{le=\"\(second)\"} 0\na_bucket{le=\"+Inf\"} 0\n# EOF\n"
        }
        _ = try parser.parse(body("1", "2"))
        // The same ids now name "2" and "1": stale bounds would wrongly accept this order.
        #expect(throws: ExpositionError.self) { try parser.parse(body("2", "1")) }
    }
}
