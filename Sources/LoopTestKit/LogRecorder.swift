import Logging
import NIOConcurrencyHelpers

/// Collects the messages logged through `logger`, for tests of what is logged how often.
public final class LogRecorder: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    public init() {}
    /// Every message logged so far, oldest first.
    public var messages: [String] { lines.withLockedValue { $0 } }
    /// A logger whose messages this recorder keeps.
    public var logger: Logger { Logger(label: "test") { _ in Handler(recorder: self) } }

    public struct Handler: LogHandler {
        let recorder: LogRecorder
        public var metadata: Logger.Metadata = [:]
        public var logLevel: Logger.Level = .trace
        public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        public func log(event: LogEvent) {
            recorder.lines.withLockedValue { $0.append(event.message.description) }
        }
    }
}
