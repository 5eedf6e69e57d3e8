/// What the parser works out about one family name and keeps for the next parses of a steady pod's body, so that
/// a family costs no string, array or set lookup per scrape: the sample names it accepts (without a type, and with
/// the last type it had), and whether the filter in use keeps it.
struct FamilyNameFacts {
    /// `MetricType`'s ordinal and the format, or -1 when not worked out.
    var untypedKey = -1
    var untyped: [(id: Int32, kind: SampleKind)] = []
    var typedKey = -1
    var typed: [(id: Int32, kind: SampleKind)] = []
    /// The filter generation `dropped` was worked out for (0: none yet; the parser's count starts at 1).
    var filterGeneration = 0
    var dropped = false
}
