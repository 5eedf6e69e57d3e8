import Foundation

/// Reads rule files from paths: single files, or directories such as a mounted ConfigMap.
///
/// A ConfigMap volume holds `name.yaml -> ..data/name.yaml` links, `..data` pointing at a
/// hidden timestamped folder that the kubelet swaps on update. Entries starting with a dot
/// are skipped and links are followed, so each file is read once, at its current version.
public enum RuleFiles {
    /// One file's name (as the user will recognise it) and text.
    public struct File: Sendable, Equatable {
        public var path: String
        public var text: String
        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// Files larger than this are refused (a rule file is a few kilobytes).
    public static let maximumFileSize = 1 << 20

    /// Reads `.yaml`/`.yml` files under each path (directories are not descended into
    /// beyond their own entries). Unreadable paths are errors.
    public static func read(_ paths: [String]) throws(RuleErrors) -> [File] {
        var files: [File] = []
        var errors: [RuleError] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                errors.append(RuleError(file: path, line: 0, column: 0, message: "no such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                guard let entries = try? fm.contentsOfDirectory(atPath: path) else {
                    errors.append(RuleError(file: path, line: 0, column: 0, message: "cannot list the directory"))
                    continue
                }
                for entry in entries.sorted() where !entry.hasPrefix(".") && (entry.hasSuffix(".yaml") || entry.hasSuffix(".yml")) {
                    let full = (path as NSString).appendingPathComponent(entry)
                    var entryIsDirectory: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &entryIsDirectory), entryIsDirectory.boolValue { continue }
                    readOne(full, into: &files, errors: &errors)
                }
            } else {
                readOne(path, into: &files, errors: &errors)
            }
        }
        if !errors.isEmpty { throw RuleErrors(errors) }
        return files
    }

    private static func readOne(_ path: String, into files: inout [File], errors: inout [RuleError]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            errors.append(RuleError(file: path, line: 0, column: 0, message: "cannot read the file"))
            return
        }
        guard data.count <= maximumFileSize else {
            errors.append(RuleError(file: path, line: 0, column: 0, message: "file is \(data.count) bytes; rule files are limited to \(maximumFileSize) bytes"))
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            errors.append(RuleError(file: path, line: 0, column: 0, message: "file is not UTF-8 text"))
            return
        }
        files.append(File(path: path, text: text))
    }

    /// Parses and validates files together; any problem in any file rejects the whole set.
    public static func load(_ files: [File]) throws(RuleErrors) -> RuleSet {
        var rules: [Rule] = []
        var errors: [RuleError] = []
        for file in files {
            do {
                rules += try RuleParser(file: file.path).parse(file.text)
            } catch {
                errors += error.errors
            }
        }
        if !errors.isEmpty { throw RuleErrors(errors) }
        return try RuleSet(rules)
    }

    /// Reads and loads in one step.
    public static func load(paths: [String]) throws(RuleErrors) -> RuleSet {
        try load(try read(paths))
    }
}
