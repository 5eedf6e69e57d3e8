#if canImport(Glibc)
import Glibc
#endif

/// `run` keeps a connection per pod it scrapes and per watch; a container often starts with a soft
/// open-file limit of 1,024 (containerd 2) under a much higher hard limit, and unlike Go's runtime
/// Swift does not raise it. `run` raises the soft limit to the hard one at start.
enum OpenFileLimit {
    /// The soft limit before and after the raise; nil where the limits cannot be read.
    static func raiseSoftToHard() -> (before: UInt64, after: UInt64)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (before, before) }
        return (before, UInt64(limit.rlim_cur))
    }
}
