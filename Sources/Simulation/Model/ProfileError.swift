/// A model profile's settings that vLLM would refuse, with what to change.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
