import Logging
import NIOConcurrencyHelpers

/// A log handler that keeps every message, so tests can count lines.
struct RecordingLogHandler: LogHandler {
    /// The lines logged through every handler sharing this box.
    final class Lines: Sendable {
        private let box = NIOLockedValueBox<[(Logger.Level, String)]>([])
        func append(_ level: Logger.Level, _ message: String) { box.withLockedValue { $0.append((level, message)) } }
        var all: [(Logger.Level, String)] { box.withLockedValue { $0 } }
        func at(_ level: Logger.Level) -> [String] { all.filter { $0.0 == level }.map(\.1) }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(event.level, "\(event.message)")
    }

    /// A logger recording into a fresh box.
    static func logger() -> (Logger, Lines) {
        let lines = Lines()
        return (Logger(label: "test") { _ in RecordingLogHandler(lines: lines) }, lines)
    }
}

/// Runs `body`, failing with `what` if it takes longer than `seconds`: every wait in these tests is bounded.
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String,
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimedOut(description: "timed out after \(seconds) s: \(what)")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimedOut(description: what) }
        return first
    }
}

/// A bounded wait ran out.
struct TimedOut: Error, CustomStringConvertible {
    var description: String
}
