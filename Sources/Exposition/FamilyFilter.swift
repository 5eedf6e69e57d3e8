/// The families a parse keeps. A scrape that reads a handful of signals need not build the hundreds of
/// other samples an exporter serves; the body is still read and checked whole, so what is kept, and
/// whether the body is valid, are exactly what a full parse gives.
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
