/// Why an exposition body was rejected, with the position of the first problem.
///
/// The parser stops at the first error and returns nothing from the body: a scrape is either fully
/// understood or marked missing.
public struct ExpositionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable category for counting and tests.
    public enum Code: String, Sendable, Hashable {
        /// The line does not follow the grammar (missing separator, stray character, bad escape).
        case syntax
        /// A metric or label name has characters that names may not have.
        case invalidName
        /// A label set is malformed or repeats a label name.
        case invalidLabels
        /// A sample value or timestamp is not a number in the accepted notation.
        case invalidNumber
        /// A `# HELP`, `# TYPE` or `# UNIT` line is malformed, repeated, or in the wrong place.
        case invalidMetadata
        /// A family's samples are split up, or two families claim the same sample names.
        case familyOrder
        /// A sample breaks its family's type rules (e.g. a negative counter, histogram buckets out of order).
        case typeViolation
        /// An exemplar is malformed, too long, or on a sample that may not carry one.
        case invalidExemplar
        /// OpenMetrics: the `# EOF` line is missing, or something follows it; Prometheus text: the last line has no line feed.
        case endOfFile
        /// Text that is not valid UTF-8 where UTF-8 is required.
        case invalidUTF8
        /// A configured limit (samples, labels per sample) was exceeded.
        case limitExceeded
    }

    /// The category of the problem.
    public var code: Code
    /// What is wrong, worded for the person who runs the exporter.
    public var message: String
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column, counted in bytes from the start of the line.
    public var column: Int

    /// Creates an error.
    public init(_ code: Code, _ message: String, line: Int, column: Int) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
    }

    /// `line:column: message`.
    public var description: String { "\(line):\(column): \(message)" }
}
