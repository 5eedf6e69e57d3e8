/// A snapshot of what a `RemoteWriter` did with its samples since it was created.
///
/// Values, so the caller can export them however it likes (the service wires them into its
/// /metrics). Every accepted sample ends up in exactly one of sent, failed or dropped, or is
/// still counted in `queueLength`.
public struct RemoteWriteCounters: Sendable, Equatable, CustomStringConvertible {
    /// Samples the receiver accepted.
    public var samplesSent = 0
    /// Samples sent again after a retryable failure (5xx, 429, network error); counted per retry.
    public var samplesRetried = 0
    /// Samples given up on: rejected by the receiver (non-retryable 4xx), or still in flight when the shutdown flush ran out of time.
    public var samplesFailed = 0
    /// Samples never sent: a shard queue was full, or they were still queued at the end of the shutdown flush.
    public var samplesDropped = 0
    /// Samples held now, queued or in flight, over all shards.
    public var queueLength = 0
    /// The protocol version the writer currently sends.
    public var protocolVersion: RemoteWriteVersion = .v1

    /// Creates zero counters.
    public init() {}

    public var description: String {
        "sent=\(samplesSent) retried=\(samplesRetried) failed=\(samplesFailed) dropped=\(samplesDropped) queue=\(queueLength) version=\(protocolVersion)"
    }
}
