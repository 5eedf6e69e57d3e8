/// A configuration key or value that inferscale cannot accept, with what would be valid.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key, as the user wrote it (a config-autoscaler key or an annotation).
    public var key: String
    /// The rejected value, when there was one.
    public var value: String?
    /// What is expected instead, e.g. "a duration between 6s and 1h in whole seconds".
    public var expected: String

    public init(key: String, value: String?, expected: String) {
        self.key = key
        self.value = value
        self.expected = expected
    }

    public var description: String {
        if let value {
            return "invalid value \"\(value)\" for \(key): expected \(expected)"
        }
        return "\(key): \(expected)"
    }
}
