import Foundation
import Scaling
#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON line per change of a target's desired scale, with the decision record,
/// so that `inferscale explain --log` and people can see why it scaled.
///
/// The file is opened for appending (`O_APPEND`) and each record goes out in one `write`, so
/// two processes appending to one file interleave whole lines, never cut each other's.
public actor DecisionLog {
    private let fd: Int32?
    private let path: String?
    private let encoder: JSONEncoder
    /// The newest records per target, for `/debug/decisions` (bounded per target and in all; a
    /// target that goes away is forgotten).
    private var recent: [String: Ring] = [:]
    private let keepPerTarget: Int
    private let keepInAll: Int
    private var writeFailed = false

    /// A target's newest records, oldest first once read; overwrites in place when full, and drops its oldest
    /// when `keep` shrinks (more targets share the bound in all).
    private struct Ring {
        var items: [DecisionRecord] = []
        var next = 0
        mutating func append(_ r: DecisionRecord, keep: Int) {
            if items.count == keep {
                items[next] = r
                next = (next + 1) % keep
                return
            }
            if next == 0 && items.count < keep {
                // Still filling: in place (a copy of the records kept, per record, until the ring was full).
                items.append(r)
                return
            }
            var all = ordered
            items = []
            if all.count >= keep { all.removeFirst(all.count - keep + 1) }
            all.append(r)
            items = all
            next = 0
        }
        var ordered: [DecisionRecord] { Array(items[next...] + items[..<next]) }
    }

    /// Appends to `path` (created if missing); nil keeps records in memory only.
    /// `keepPerTarget` bounds the records kept in memory for each target (default 50), and `keepInAll` those of
    /// all targets together (default 50,000, about 25 MB): with more than `keepInAll / keepPerTarget` targets
    /// (1,000 by default) each keeps `keepInAll / targets`, at least 1. At 10,000 targets 50 each held about
    /// 250 MB, half of a replica's memory.
    public init(path: String?, keepPerTarget: Int = 50, keepInAll: Int = 50_000) throws {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.keepPerTarget = max(1, keepPerTarget)
        self.keepInAll = max(1, keepInAll)
        self.path = path
        if let path {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw DecisionLogError(path: path, message: "cannot open the decision log for appending: \(String(cString: strerror(errno)))")
            }
            self.fd = fd
        } else {
            fd = nil
        }
    }

    deinit {
        if let fd { close(fd) }
    }

    /// Records a decision; `changed` says whether the desired scale changed (only those are
    /// written to the file; every record is kept in memory for the debug endpoint).
    public func record(_ record: DecisionRecord, changed: Bool) {
        let keep = min(keepPerTarget, max(1, keepInAll / max(1, recent.count)))
        recent[record.target, default: Ring()].append(record, keep: keep)
        guard changed, let fd, var data = try? encoder.encode(record) else { return }
        data.append(0x0A)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != data.count && !writeFailed {
            // Not retried in pieces: a second write could land after another process's line.
            writeFailed = true
            let reason = written < 0 ? String(cString: strerror(errno)) : "short write (\(written) of \(data.count) bytes)"
            FileHandle.standardError.write(Data("inferscale: decision log \(path ?? ""): \(reason); records may be missing\n".utf8))
        }
    }

    /// Several records in order, as `record(_:changed:)` one by one (the loop hands over a tick's at once).
    public func record(_ batch: [(record: DecisionRecord, changed: Bool)]) {
        for entry in batch { record(entry.record, changed: entry.changed) }
    }

    /// The newest records of `target`, oldest first.
    public func records(for target: String) -> [DecisionRecord] { recent[target]?.ordered ?? [] }

    /// Drops the records kept for a target that went away.
    public func forget(_ target: String) { recent[target] = nil }
}

/// The decision log could not be opened.
public struct DecisionLogError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}
