import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What /proc says about another process: CPU from /proc/PID/stat, memory from /proc/PID/status, open files from
/// /proc/PID/fd. A process that has exited reads as NaN (and 0 open files).
struct ProcessStats {
    let pid: Int32

    /// utime + stime in seconds (the kernel counts them in clock ticks).
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return .nan }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory now (`VmRSS`), MiB.
    var residentMiB: Double { statusKiB("VmRSS:") / 1024 }
    /// The most resident memory so far (`VmHWM`), MiB.
    var peakResidentMiB: Double { statusKiB("VmHWM:") / 1024 }

    /// Open file descriptors (sockets included).
    var openFiles: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0 }

    private func statusKiB(_ key: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return .nan }
        return kb
    }
}
