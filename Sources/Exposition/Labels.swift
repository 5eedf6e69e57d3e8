/// The labels of one sample, in the order the exposition listed them.
///
/// A `Labels` value is a window onto storage shared by all samples of a family, so building one costs no
/// allocation; copying it retains the shared storage.
public struct Labels: Sendable, RandomAccessCollection {
    @usableFromInline let storage: [Label]
    // 32-bit bounds keep `Sample` small; a body has far fewer than 2^31 labels.
    @usableFromInline let start: Int32
    @usableFromInline let end: Int32

    /// The first position, into the shared storage.
    @inlinable public var startIndex: Int { Int(start) }
    /// One past the last position, into the shared storage.
    @inlinable public var endIndex: Int { Int(end) }

    /// Labels backed by their own storage.
    public init(_ labels: [Label] = []) {
        storage = labels
        start = 0
        end = Int32(clamping: labels.count)
    }

    init(storage: [Label], range: Range<Int>) {
        self.storage = storage
        start = Int32(truncatingIfNeeded: range.lowerBound)
        end = Int32(truncatingIfNeeded: range.upperBound)
    }

    /// The label at a position.
    @inlinable public subscript(position: Int) -> Label { storage[position] }

    /// The value of the label called `name`, or `nil` when the sample has no such label.
    public subscript(name: String) -> String? {
        for index in startIndex..<endIndex where storage[index].name == name {
            return storage[index].value
        }
        return nil
    }
}

extension Labels: Hashable {
    /// Two label sets are equal when they list the same labels in the same order.
    public static func == (lhs: Labels, rhs: Labels) -> Bool { lhs.elementsEqual(rhs) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for label in self { hasher.combine(label) }
    }
}

extension Labels: ExpressibleByDictionaryLiteral {
    /// Labels written as a literal, e.g. `["model_name": "llama"]`, in the order given.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label(name: $0.0, value: $0.1) })
    }
}

extension Labels: CustomStringConvertible {
    /// The labels as the exposition writes them, e.g. `{engine="0",model_name="llama"}`.
    public var description: String {
        "{" + map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}
