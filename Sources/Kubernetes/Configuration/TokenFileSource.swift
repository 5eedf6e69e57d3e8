import Foundation
import NIOConcurrencyHelpers

/// A bearer token read from a file and re-read as it rotates: when the file's modification time changes,
/// or at least every `rereadInterval`. A failed re-read keeps the last good token (the kubelet swaps the file
/// atomically, so a failure is transient); a failed first read is an error.
public final class TokenFileSource: Sendable {
    /// The token file path.
    public let path: String
    /// Upper bound between re-reads.
    public let rereadInterval: Duration

    private struct State {
        var token: String?
        var modificationDate: Date?
        var readAt: ContinuousClock.Instant?
    }

    private let state = NIOLockedValueBox(State())

    /// Creates a source; nothing is read until `token(now:)`.
    public init(path: String, rereadInterval: Duration) {
        self.path = path
        self.rereadInterval = rereadInterval
    }

    /// The current token, re-reading the file when its modification time changed or `rereadInterval` passed.
    /// - Parameter now: the current instant (injected for tests).
    public func token(now: ContinuousClock.Instant = .now) throws -> String {
        let modificationDate = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        return try state.withLockedValue { state in
            if let token = state.token, let readAt = state.readAt, now - readAt < rereadInterval,
                modificationDate == state.modificationDate
            {
                return token
            }
            do {
                let token = try Self.readToken(path: path)
                state.token = token
                state.modificationDate = modificationDate
                state.readAt = now
                return token
            } catch {
                if let token = state.token { return token }
                throw error
            }
        }
    }

    /// Reads and trims a token file.
    static func readToken(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesConfigurationError(
                code: .unreadableFile,
                message: "cannot read the bearer token file \(path) (is the service-account token mounted?)"
            )
        }
        guard data.count <= 64 * 1024 else {
            throw KubernetesConfigurationError(
                code: .unreadableFile, message: "the bearer token file \(path) is larger than 64 KiB")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw KubernetesConfigurationError(code: .unreadableFile, message: "the bearer token file \(path) is empty")
        }
        return token
    }
}
