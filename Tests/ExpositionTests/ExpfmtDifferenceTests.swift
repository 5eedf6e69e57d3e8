import Exposition
import Testing

/// Every kind of input on which `make fuzz-diff` found inferscale's Prometheus text parser and Go's
/// `github.com/prometheus/common/expfmt` (v0.39.0, Debian's golang-github-prometheus-common-dev) at odds, with
/// inferscale's verdict and why (docs/fuzzing.md#differential-check). The spec is Prometheus's
/// docs/instrumenting/exposition_formats.md ("Text format details").
@Suite struct ExpfmtDifferenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: [UInt8]
        /// inferscale's verdict; expfmt's is the opposite.
        var accepted: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Fixed: "The last line must end with a line feed character." expfmt rejects too; inferscale read the
        // line, so a body cut short mid-value ("a 12" of "a 123") gave a wrong value.
        Case(name: "no line feed after the last line", body: Array("a 1\nb 2".utf8), accepted: false),
        // Prometheus's own scrape parser (model/textparse/promlex.l) takes any backslash escape in a label
        // value and unescapes only \\, \" and \n, as inferscale does; expfmt refuses the others.
        Case(name: "label-value escape other than \\\\, \\\" and \\n", body: Array("a{b=\"c\\zd\"} 1\n".utf8), accepted: true),
        // `le` is a label value to the parser (textparse keeps it as one); inferscale's histogram readers skip a
        // bound they cannot read. expfmt converts it while parsing and fails the body.
        Case(name: "histogram le that is not a number", body: Array("# TYPE a histogram\na_bucket{le=\"x\"} 3\na_count 3\n".utf8), accepted: true),
        // The spec: each bucket is "a separate sample line with the name x_bucket and a label {le="y"}"; a bucket
        // without one cannot be placed, so the body is refused (expfmt keeps it).
        Case(name: "histogram bucket without le", body: Array("# TYPE a histogram\na_bucket{x=\"y\"} 3\na_count 3\n".utf8), accepted: false),
        // The spec: each quantile of a summary x is "a separate sample line with the same name x and a label
        // {quantile="y"}" (expfmt keeps the sample).
        Case(name: "summary sample without quantile", body: Array("# TYPE a summary\na_count 1\na_sum 2\na{x=\"y\"} 3\n".utf8), accepted: false),
        // The spec: the text format is UTF-8; expfmt does not check HELP text.
        Case(name: "HELP text that is not UTF-8", body: [UInt8]("# HELP a h".utf8) + [0xFF, 0xFE] + [UInt8]("\na 1\n".utf8), accepted: false),
        // The spec: after TYPE "exactly two more tokens are expected"; expfmt reads `# TYPE a` followed by blanks
        // as a comment.
        Case(name: "TYPE line without a type", body: Array("# TYPE a \t\t \na 1\n".utf8), accepted: false),
        Case(name: "TYPE line without a name", body: Array("# TYPE\na 1\n".utf8), accepted: false),
        // The spec: after HELP "at least one more token is expected, which is the metric name. All remaining
        // tokens are considered the docstring": `# HELP a` is a HELP with an empty docstring, and a second one
        // for the same name is an error. expfmt reads `# HELP a` as a comment.
        Case(name: "two HELP lines with empty docstrings", body: Array("# HELP a \n# HELP a \na 1\n".utf8), accepted: false),
        // Blanks, and the CR of CRLF bodies, at the end of a line are separators to inferscale; expfmt takes
        // them for a value or timestamp token.
        Case(name: "blanks and CR at the end of a line", body: Array("a 1 \r\nb 2 1000\t\n".utf8), accepted: true),
        // A final line of content needs its line feed, a comment too (expfmt lets a comment end the body).
        Case(name: "a final comment line without a line feed", body: Array("a 1\n# done".utf8), accepted: false),
        // Tokens are separated by blanks; expfmt ends a name at the first character that cannot be in one and
        // reads the rest as the value.
        Case(name: "no blank between the label set and the value", body: Array("a{b=\"c\"}1\n".utf8), accepted: false),
        Case(name: "no blank between the name and the value", body: Array("a000.123\n".utf8), accepted: false),
        // Fixed: the spec's blanks are spaces and tabs ("tokens can be separated by any number of blanks and/or
        // tabs"); a CR is read only as part of a CR LF line end. inferscale skipped CRs like blanks anywhere, so a
        // CR before a name or '#', or CRs after the last line feed, passed; expfmt rejects both, as now inferscale.
        Case(name: "a CR before the metric name", body: Array("\r\ra 1\n".utf8), accepted: false),
        Case(name: "a CR before a comment", body: Array("\r\r#\u{0}TYPE histogram\u{2}a_buck\n".utf8), accepted: false),
        Case(name: "a CR after the last line feed", body: Array("# a x\n\r ".utf8), accepted: false),
        Case(name: "nothing but a CR", body: Array("\r".utf8), accepted: false),
        // A blank line of a CR LF body stays blank (expfmt refuses CR LF bodies throughout).
        Case(name: "a blank line ending in CR LF", body: Array("a 1\r\n\r\nb 2\r\n".utf8), accepted: true),
        // Fixed: values are "as required by Go's ParseFloat()", which refuses a decimal past the largest double
        // ("value out of range"); inferscale read it as +Inf. An underflow is 0 to both, the largest double is
        // read, and an infinity is spelled.
        Case(name: "a value beyond the range of a 64-bit float", body: Array("a 08e00050027\n".utf8), accepted: false),
        Case(name: "a negative value beyond the range", body: Array("a -1.8e308\n".utf8), accepted: false),
        Case(name: "the largest double and an underflow", body: Array("a 1.7976931348623157e308\nb 1e-400\nc -Inf\n".utf8), accepted: true),
        // Only blanks after the last line feed are no line at all.
        Case(name: "only blanks after the last line feed", body: Array("a 1\n  \t".utf8), accepted: true),
    ]

    @Test(arguments: cases) func verdict(_ c: Case) {
        var parser = ExpositionParser(format: .prometheusText)
        let accepted: Bool
        do {
            _ = try parser.parse(c.body)
            accepted = true
        } catch {
            accepted = false
        }
        #expect(accepted == c.accepted)
    }

    @Test func aBodyCutMidValueIsRefusedNotReadShort() throws {
        var parser = ExpositionParser(format: .prometheusText)
        #expect(throws: ExpositionError.self) { try parser.parse("vllm:num_requests_running 12") }
        let whole = try parser.parse("vllm:num_requests_running 123\n")
        #expect(whole.families.count == 1)
    }
}
