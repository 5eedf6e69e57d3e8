/// One request of a traffic trace, times in seconds from the start of the replay.
public struct TraceRequest: Sendable, Equatable {
    /// Arrival, seconds from the start of the replay.
    public var time: Double
    /// Prompt length in tokens (0 for predictive models).
    public var promptTokens: Int
    /// Output length in tokens (0 for predictive models).
    public var outputTokens: Int
    /// Service time in seconds, when the trace gives it (predictive models); nil: drawn from
    /// the model profile.
    public var serviceSeconds: Double?
    /// What the prompt is made of, in order, as far as other prompts share it; the tokens past
    /// the segments (or all of them, when there are none) are the prompt's own.
    public var segments: [PromptSegment]

    public init(time: Double, promptTokens: Int = 0, outputTokens: Int = 0, serviceSeconds: Double? = nil,
                segments: [PromptSegment] = []) {
        self.time = time
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.serviceSeconds = serviceSeconds
        self.segments = segments
    }
}

/// A whole trace: requests sorted by arrival, and the span replayed.
public struct Trace: Sendable, Equatable {
    public var requests: [TraceRequest]
    /// Seconds replayed (from 0): the window's length, or the last arrival.
    public var duration: Double
    /// Whether requests carry token counts (an LLM trace) rather than service times.
    public var hasTokens: Bool

    public init(requests: [TraceRequest], duration: Double? = nil) {
        self.requests = requests.sorted { $0.time < $1.time }
        self.duration = duration ?? (self.requests.last?.time ?? 0)
        hasTokens = self.requests.contains { $0.promptTokens > 0 || $0.outputTokens > 0 }
    }

    /// The requests in [from, to) (seconds of the original trace), shifted to start at 0 and
    /// compressed by `speed` (2 = twice as fast).
    public func window(from: Double?, to: Double?, speed: Double) -> Trace {
        let start = from ?? 0
        let end = to ?? duration
        let kept = requests.filter { $0.time >= start && (to == nil || $0.time < end) }.map { r -> TraceRequest in
            var r = r
            r.time = (r.time - start) / speed
            return r
        }
        return Trace(requests: kept, duration: max(0, end - start) / speed)
    }
}
