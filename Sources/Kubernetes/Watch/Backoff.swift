/// Exponential backoff with jitter: `min(maximum, initial × 2^failures)`, stretched by up to `jitterFraction`
/// of itself. The random part is passed in (0 ≤ jitter < 1) so that callers and tests control it.
public struct Backoff: Sendable, Equatable {
    /// First delay, in seconds. Default 0.5 s.
    public var initialSeconds: Double = 0.5
    /// Largest delay before jitter, in seconds. Default 30 s.
    public var maximumSeconds: Double = 30
    /// Largest extra fraction added by jitter (0.2 adds up to 20 %). Default 0.2.
    public var jitterFraction: Double = 0.2

    /// Creates a backoff policy.
    public init(initialSeconds: Double = 0.5, maximumSeconds: Double = 30, jitterFraction: Double = 0.2) {
        self.initialSeconds = initialSeconds
        self.maximumSeconds = maximumSeconds
        self.jitterFraction = jitterFraction
    }

    /// Delay in seconds after `failures` consecutive failures (1 for the first failure).
    /// - Parameter jitter: a random number in [0, 1); values outside are clamped.
    public func delay(failures: Int, jitter: Double) -> Double {
        let exponent = min(max(failures - 1, 0), 30)
        let base = min(maximumSeconds, initialSeconds * Double(1 << exponent))
        return base * (1 + jitterFraction * min(max(jitter, 0), 1))
    }
}
