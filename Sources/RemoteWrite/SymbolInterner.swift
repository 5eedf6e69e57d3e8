import NIOConcurrencyHelpers

/// Gives every distinct label string a small integer, shared by all series of one writer.
///
/// The 2.0 encoder uses these numbers to build each request's symbols table with array
/// look-ups instead of hashing strings per sample. The table grows with the number of
/// distinct label strings ever seen (label cardinality), which the caller bounds.
public final class SymbolInterner: Sendable {
    private let table = NIOLockedValueBox<[String: UInt32]>([:])

    /// Creates an empty interner.
    public init() {}

    /// The number for `string`, assigning the next free one on first sight.
    public func intern(_ string: String) -> UInt32 {
        table.withLockedValue { t in
            if let id = t[string] { return id }
            let id = UInt32(t.count)
            t[string] = id
            return id
        }
    }

    /// How many distinct strings have been interned.
    public var count: Int { table.withLockedValue { $0.count } }
}
