/// The families a parse keeps. A scrape that reads a handful of signals need not build the hundreds of
/// other samples an exporter serves. What is kept is exactly what a full parse gives; the body's structure
/// (metadata, which family each line is in, family order, its end) is checked as in a full parse, but the
/// sample lines of the other families are matched by name only, so an error inside one of them (a bad label
/// set or value) does not fail the body.
public struct FamilyFilter: Sendable, Hashable {
    /// Family names kept, as ``MetricFamily/name`` spells them.
    public var names: Set<String>

    /// Keeps the families called `names`.
    public init(_ names: some Sequence<String>) {
        self.names = Set(names)
    }

    /// Whether the family called `name` is kept.
    @inlinable public func keeps(_ name: String) -> Bool { names.contains(name) }
}
