/// Prompt and output lengths to give requests whose trace has none (ServeGen's released rate
/// files): pairs drawn, with replacement, from another trace's requests, so a prompt keeps the
/// output length it came with. Prefix segments are not carried over: copies of one request's
/// blocks would be cache hits the source trace never had.
public struct TokenLengthSample: Sendable {
    /// Names the source in reports.
    public var name: String
    /// Prompt and output tokens of the source's requests, index by index.
    private var prompts: [Int]
    private var outputs: [Int]

    /// Requests in the source.
    public var count: Int { prompts.count }

    /// The lengths of `trace`'s requests; an error when it has no token counts.
    public init(trace: Trace, name: String) throws(TraceError) {
        guard trace.hasTokens else {
            throw TraceError(file: name, line: 0, message: "this trace has no token counts to draw lengths from; give an Azure LLM, Mooncake or time_s,prompt_tokens,output_tokens trace")
        }
        self.name = name
        prompts = trace.requests.map(\.promptTokens)
        outputs = trace.requests.map(\.outputTokens)
    }

    /// One request's lengths.
    public func draw(using random: inout SeededRandom) -> (prompt: Int, output: Int) {
        let i = Int(random.next() % UInt64(prompts.count))
        return (prompts[i], outputs[i])
    }
}
