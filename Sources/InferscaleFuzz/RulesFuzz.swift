import Rules

/// A rule file either loads or is refused with positions inside the file.
enum RulesFuzz {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        do {
            _ = try RuleFiles.load([RuleFiles.File(path: "fuzz.yaml", text: text)])
        } catch {
            for e in error.errors {
                precondition(e.line >= 0 && e.line <= lines + 1 && e.column >= 0,
                             "error at line \(e.line) of a \(lines)-line file: \(e)")
            }
        }
    }
}
