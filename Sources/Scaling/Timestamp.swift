/// A point in time as nanoseconds since the Unix epoch.
///
/// The decision core never reads a clock: every time it needs arrives as a `Timestamp`
/// parameter, so the same code runs in the cluster, in replays and in tests.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var nanoseconds: Int64

    /// Creates a timestamp from nanoseconds since the Unix epoch.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Creates a timestamp from whole seconds since the Unix epoch.
    public init(seconds: Int64) { self.nanoseconds = seconds * 1_000_000_000 }

    /// Whole seconds since the epoch, rounded toward negative infinity.
    public var unixSeconds: Int64 {
        nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// This time moved by `seconds` (may be negative).
    public func adding(seconds: Double) -> Timestamp {
        Timestamp(nanoseconds: nanoseconds + Int64(seconds * 1e9))
    }

    /// This time moved by a duration in nanoseconds.
    public func adding(nanoseconds delta: Int64) -> Timestamp {
        Timestamp(nanoseconds: nanoseconds &+ delta)
    }

    public var description: String {
        nanoseconds % 1_000_000_000 == 0 ? "\(unixSeconds)s" : "\(Double(nanoseconds) / 1e9)s"
    }
}
