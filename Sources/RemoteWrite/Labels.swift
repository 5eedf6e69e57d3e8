/// One label of a series: a name and a value.
public struct Label: Hashable, Sendable, CustomStringConvertible {
    /// The label name, e.g. `__name__` or `target`.
    public var name: String
    /// The label value; never empty inside a `Labels` set.
    public var value: String

    /// Creates a label.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\"\(value)\"" }
}

/// The label set of a series in the form remote-write requires: sorted by name (byte-wise),
/// no empty names or values, each name at most once.
///
/// Empty values are dropped because Prometheus treats an empty label as an absent one.
/// When a name is given twice, the last value wins.
public struct Labels: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    /// The label name Prometheus uses for the metric name.
    public static let metricNameLabel = "__name__"

    @usableFromInline var storage: [Label]

    /// Creates a normalised label set from name/value pairs in any order.
    public init<S: Sequence>(_ labels: S) where S.Element == Label {
        var last: [String: String] = [:]
        for label in labels where !label.name.isEmpty { last[label.name] = label.value }
        storage = last.compactMap { $0.value.isEmpty ? nil : Label(name: $0.key, value: $0.value) }
        storage.sort { Labels.precedes($0.name, $1.name) }
    }

    /// Creates a normalised label set from `(name, value)` pairs.
    public init(_ pairs: [(String, String)]) {
        self.init(pairs.map { Label(name: $0.0, value: $0.1) })
    }

    /// Creates a label set for metric `name` with further labels.
    public init(name: String, _ labels: [String: String] = [:]) {
        self.init([Label(name: Labels.metricNameLabel, value: name)] + labels.map { Label(name: $0.key, value: $0.value) })
    }

    /// Byte-wise (UTF-8) ordering, the order Prometheus sorts label names in.
    @inlinable
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The value of the label called `name`, if present.
    public subscript(name: String) -> String? {
        storage.first { $0.name == name }?.value
    }

    /// The metric name (`__name__`), if present.
    public var metricName: String? { self[Labels.metricNameLabel] }

    /// This set with `other`'s labels added where this set has no label of that name
    /// (how external labels are applied: the series' own labels win).
    public func adding(missingFrom other: Labels) -> Labels {
        var merged = storage
        for label in other.storage where self[label.name] == nil { merged.append(label) }
        return Labels(merged)
    }

    public var startIndex: Int { storage.startIndex }
    public var endIndex: Int { storage.endIndex }
    public subscript(position: Int) -> Label { storage[position] }

    public var description: String {
        "{" + storage.map(\.description).joined(separator: ", ") + "}"
    }
}

extension Labels: ExpressibleByDictionaryLiteral {
    /// Creates a label set from a literal such as `["__name__": "up", "job": "x"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label(name: $0.0, value: $0.1) })
    }
}
