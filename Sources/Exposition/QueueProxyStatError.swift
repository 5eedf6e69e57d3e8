/// Why a queue-proxy protobuf body was rejected.
public struct QueueProxyStatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable category for counting and tests.
    public enum Code: String, Sendable, Hashable {
        /// The bytes are not a valid protobuf message of the expected type.
        case malformed
        /// The message decoded but a field is missing or out of range.
        case invalidValue
    }

    /// The category.
    public var code: Code
    /// What is wrong, worded for the operator.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
