import NIOConcurrencyHelpers

/// Every scale call the soak's replicas made, in the order they began, with whether the replica led when it
/// called and how the call ended; the invariants match the API server's writes against it.
public final class ScaleCallLog: Sendable {
    /// One call of `ScaleActuator.scale`.
    public struct Call: Sendable {
        /// The replica that called (`a`, `b`; a restart keeps the name).
        public var instance: String
        public var target: String
        public var replicas: Int
        /// Whether the caller's elector said it led when the call began.
        public var leader: Bool
        public var began: ContinuousClock.Instant
        /// nil while in flight.
        public var ended: ContinuousClock.Instant?
        public var succeeded = false
    }

    private let calls = NIOLockedValueBox<[Call]>([])

    public init() {}

    func begin(_ call: Call) -> Int {
        calls.withLockedValue { c in
            c.append(call)
            return c.count - 1
        }
    }

    func end(_ index: Int, succeeded: Bool) {
        calls.withLockedValue { c in
            c[index].ended = .now
            c[index].succeeded = succeeded
        }
    }

    /// Every call so far.
    public var all: [Call] { calls.withLockedValue { $0 } }
}
