/// The kinds of fault a soak injects (the list), each at least `faultsPerClass` times.
public enum FaultClass: String, CaseIterable, Sendable, Comparable {
    /// The API answers the next requests with 500 or 503.
    case apiServerError = "api-5xx"
    /// The API answers the next requests with 429 and `Retry-After`.
    case apiThrottled = "api-429"
    /// The API answers the next requests after the client's timeout.
    case apiTimeout = "api-timeout"
    /// Every watch connection is cut mid-stream.
    case watchDropped = "watch-dropped"
    /// The history is compacted and every watch gets an ERROR 410 Gone.
    case watchGone = "watch-410"
    /// The next scale writes meet another writer's resourceVersion first (409 Conflict).
    case conflictStorm = "conflict-409"
    /// One resource the loop uses is forbidden (403) for a while.
    case forbidden = "forbidden-403"
    /// A pod goes not ready, then ready again.
    case podFlapping = "pod-flap"
    /// A pod moves to another address.
    case podIPChange = "pod-ip-change"
    /// A pod's metrics endpoint answers after the scrape deadline.
    case podHanging = "pod-hang"
    /// A pod's metrics endpoint sends garbage.
    case podGarbage = "pod-garbage"
    /// A pod's metrics endpoint is gone (connection refused).
    case podDying = "pod-dying"
    /// The remote-write receiver answers 503 for a while (one outage is `longRemoteWriteOutageSeconds`).
    case remoteWriteDown = "remote-write-down"
    /// A rule file is replaced with a broken one, and later fixed (a new good version).
    case rulesBroken = "rules-broken"
    /// The leader releases its Lease (a rolling update); the other replica takes over.
    case leaderChange = "leader-change"
    /// A replica is stopped in the middle of a tick (SIGTERM: scrapes cancelled, the tick cut short, the Lease
    /// released) and started afresh.
    case sigtermMidTick = "sigterm-mid-tick"

    public static func < (a: FaultClass, b: FaultClass) -> Bool { a.rawValue < b.rawValue }
}
