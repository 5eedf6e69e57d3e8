/// One pod's start as discovery saw it: when the pod object was created and when it last
/// became ready. Their difference is the cold start (image pull, weights load, warm-up).
public struct PodStartup: Sendable, Equatable {
    /// The pod's `metadata.creationTimestamp`.
    public var createdAt: Timestamp
    /// The last transition of its `Ready` condition to true.
    public var readyAt: Timestamp

    /// Creates a pod start record.
    public init(createdAt: Timestamp, readyAt: Timestamp) {
        self.createdAt = createdAt
        self.readyAt = readyAt
    }
}
