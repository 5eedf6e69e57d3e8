import Foundation
import NIOConcurrencyHelpers

/// The bearer tokens that `/push` and the activator websocket accept, read from a file (a
/// mounted Secret). The file holds one or more tokens, one per line (blank lines and
/// surrounding whitespace are ignored), so a token can be rotated without a gap: add the new
/// one, move the clients over, remove the old one.
///
/// The file is checked on every call (one `stat`) and read again when its identity, size or
/// modification time changed, so a kubelet's atomic `..data` swap takes effect on the next
/// request. A file that becomes unreadable or empty keeps the last good tokens in force, as
/// an invalid rule file keeps the last good rules. Tokens are never logged or put in errors.
public final class PushTokenFile: Sendable {
    /// Largest token file accepted, bytes.
    public static let maxFileBytes = 64 * 1024
    /// Shortest token accepted, bytes: anything shorter is too easy to guess.
    public static let minTokenBytes = 16

    /// Why a token file cannot be used; the message names the path, never a token.
    public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "push token file \(path): \(message)" }
    }

    private struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedNanoseconds: Int64
    }

    private struct State {
        var identity: Identity
        var tokens: [[UInt8]]
        /// The last reload failure, reported once per change of the file.
        var lastFailure: String?
    }

    /// The file's path.
    public let path: String
    private let state: NIOLockedValueBox<State>

    /// Reads `path` once; throws when it is missing, unreadable, too large, or holds no token
    /// of at least `minTokenBytes` bytes, so a misconfigured instance does not start.
    public init(path: String) throws(LoadError) {
        self.path = path
        guard let identity = Self.identity(of: path) else {
            throw LoadError(path: path, message: "cannot be read (is the Secret mounted?)")
        }
        let tokens = try Self.read(path)
        state = NIOLockedValueBox(State(identity: identity, tokens: tokens))
    }

    /// Whether `token` is one of the file's tokens, reading the file again first if it changed.
    public func accepts(_ token: some Collection<UInt8>) -> Bool {
        let candidate = Array(token)
        return current().contains { Self.constantTimeEqual($0, candidate) }
    }

    /// The token this instance presents when it forwards load to the leader (the file's first).
    public var forwardingToken: String {
        String(decoding: current().first ?? [], as: UTF8.self)
    }

    /// Reads the file again if it changed, without a request (a periodic check, so a broken
    /// rotation shows in the log before a client meets it).
    public func refresh() { _ = current() }

    /// A message for the log when the last reload failed (the last good tokens stay), once per failure.
    public func takeReloadFailure() -> String? {
        state.withLockedValue { s in
            defer { s.lastFailure = nil }
            return s.lastFailure
        }
    }

    private func current() -> [[UInt8]] {
        guard let identity = Self.identity(of: path) else {
            return state.withLockedValue { s in
                s.lastFailure = "push token file \(path) cannot be read; the last good tokens stay in force"
                return s.tokens
            }
        }
        if let tokens = state.withLockedValue({ $0.identity == identity ? $0.tokens : nil }) { return tokens }
        let reloaded: Result<[[UInt8]], LoadError>
        do throws(LoadError) { reloaded = .success(try Self.read(path)) } catch { reloaded = .failure(error) }
        return state.withLockedValue { s in
            s.identity = identity
            switch reloaded {
            case .success(let tokens): s.tokens = tokens
            case .failure(let error): s.lastFailure = "\(error); the last good tokens stay in force"
            }
            return s.tokens
        }
    }

    private static func identity(of path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                        modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    private static func read(_ path: String) throws(LoadError) -> [[UInt8]] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LoadError(path: path, message: "cannot be read (is the Secret mounted?)")
        }
        defer { try? handle.close() }
        // One byte more than the limit tells a file at the limit from a larger one.
        let data = (try? handle.read(upToCount: maxFileBytes + 1)) ?? Data()
        guard data.count <= maxFileBytes else { throw LoadError(path: path, message: "is larger than \(maxFileBytes) bytes") }
        let tokens = data.split(separator: UInt8(ascii: "\n")).map { line in
            Array(line.drop { isSpace($0) }.reversed().drop { isSpace($0) }.reversed())
        }.filter { !$0.isEmpty }
        guard !tokens.isEmpty else { throw LoadError(path: path, message: "holds no token (one per line)") }
        if tokens.contains(where: { $0.count < minTokenBytes }) {
            throw LoadError(path: path, message: "holds a token shorter than \(minTokenBytes) bytes; use e.g. `openssl rand -hex 32`")
        }
        return tokens
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    /// Compares without an early exit on the first differing byte, so the time taken does not
    /// tell a caller how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0 && a.count == b.count
    }
}
