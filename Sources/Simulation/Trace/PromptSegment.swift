/// A piece of a prompt's content that other prompts may share: a system prompt, a document, an
/// earlier turn of a conversation. Prompts are compared by their segments, not their text: two
/// prompts that begin with the same segments begin with the same tokens, so a replica's prefix
/// cache can serve one from the other's KV blocks (docs/simulation.md, "Prefix caching").
public struct PromptSegment: Sendable, Hashable {
    /// Names the content; equal ids mean equal tokens.
    public var id: UInt64
    /// Tokens of the content.
    public var tokens: Int

    public init(id: UInt64, tokens: Int) {
        self.id = id
        self.tokens = tokens
    }
}
