/// A problem in a rule file, at a position, with what is expected instead.
public struct RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as given (path or name).
    public var file: String
    /// 1-based line and column; 0 when the problem is not at one place (e.g. an unreadable file).
    public var line: Int
    public var column: Int
    /// What is wrong and what would be right.
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, the form editors and CI annotate.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}

/// Several problems found in one pass; a file with any of them is rejected as a whole.
public struct RuleErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [RuleError]
    public init(_ errors: [RuleError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Where something was written: file, line, column.
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}
