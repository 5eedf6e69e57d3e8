/// One label of a sample: a name and its unescaped value.
public struct Label: Sendable, Hashable {
    /// The label name, e.g. `model_name`.
    public var name: String
    /// The label value with escapes (`\\`, `\"`, `\n`) resolved.
    public var value: String

    /// Creates a label.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
