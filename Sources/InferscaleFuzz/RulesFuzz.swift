import Rules

/// A rule file either loads or is refused with positions inside the file.
enum RulesFuzz {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        // YAML breaks lines at CR, LF, CRLF (and NEL, LS, PS), as `isNewline` does (it adds VT and
        // FF, which only loosens the bound).
        let lines = text.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
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
