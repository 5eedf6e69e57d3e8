/// Receives a body's families and samples while it is parsed, for hot paths that aggregate on the fly
/// instead of building ``MetricFamily`` values.
///
/// Calls arrive in exposition order: `beginFamily` before the first sample of each run of a family (and for
/// a family that has metadata but no samples), then its samples. The labels of a sample passed to
/// ``sample(_:)`` are backed by the parser's reusable buffer; keeping the `Sample` is safe but costs a copy.
///
/// If parsing throws, everything visited so far must be discarded: the body as a whole was invalid.
public protocol ExpositionVisitor {
    /// A family begins. `help` and `unit` are `nil` when the exposition did not give them.
    mutating func beginFamily(name: String, type: MetricType, help: String?, unit: String?)
    /// One sample of the family most recently begun.
    mutating func sample(_ sample: Sample)
}
