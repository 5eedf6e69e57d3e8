/// A request the fake received.
public struct FakeRequestRecord: Sendable, Equatable {
    /// HTTP method.
    public var method: String
    /// Path without the query.
    public var path: String
    /// Raw query string.
    public var query: String
    /// HTTP status the fake answered with (200 for watches that started).
    public var status: Int
    /// When the request was complete (monotonic clock).
    public var at: ContinuousClock.Instant
}

/// A successful PATCH or PUT of a Deployment's replicas through `/scale`.
public struct FakeScaleWrite: Sendable, Equatable {
    /// Namespace of the Deployment.
    public var namespace: String
    /// Deployment name.
    public var name: String
    /// `spec.replicas` after the write.
    public var replicas: Int
    /// When the write was applied (monotonic clock).
    public var at: ContinuousClock.Instant
}

/// A wait in a test ran past its timeout.
public struct FakeTimeoutError: Error, CustomStringConvertible {
    /// What was awaited.
    public var what: String
    /// The timeout.
    public var timeout: Duration

    /// Creates an error.
    public init(what: String, timeout: Duration) {
        self.what = what
        self.timeout = timeout
    }

    public var description: String { "timed out after \(timeout) waiting for \(what)" }
}
