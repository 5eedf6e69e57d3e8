import Foundation
import Scaling

/// Writes one JSON line per change of a target's desired scale, with the decision record,
/// so that `inferscale explain --log` and people can see why it scaled.
public actor DecisionLog {
    private let handle: FileHandle?
    private let encoder: JSONEncoder
    /// The newest records per target, for `/debug/decisions` (bounded).
    private var recent: [String: [DecisionRecord]] = [:]
    private let keepPerTarget: Int

    /// Appends to `path` (created if missing); nil keeps records in memory only.
    public init(path: String?, keepPerTarget: Int = 50) throws {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.keepPerTarget = keepPerTarget
        if let path {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw DecisionLogError(path: path, message: "cannot create the decision log")
                }
            }
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw DecisionLogError(path: path, message: "cannot open the decision log for writing")
            }
            h.seekToEndOfFile()
            handle = h
        } else {
            handle = nil
        }
    }

    /// Records a decision; `changed` says whether the desired scale changed (only those are
    /// written to the file; every record is kept in memory for the debug endpoint).
    public func record(_ record: DecisionRecord, changed: Bool) {
        var list = recent[record.target, default: []]
        list.append(record)
        if list.count > keepPerTarget { list.removeFirst(list.count - keepPerTarget) }
        recent[record.target] = list
        guard changed, let handle, let data = try? encoder.encode(record) else { return }
        handle.write(data + Data("\n".utf8))
    }

    /// The newest records of `target`, oldest first.
    public func records(for target: String) -> [DecisionRecord] { recent[target] ?? [] }
}

/// The decision log could not be opened.
public struct DecisionLogError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}
