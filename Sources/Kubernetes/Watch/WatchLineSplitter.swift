import NIOCore

/// Splits a watch response body into lines (one JSON event each), refusing any line longer than a limit so that
/// a server that never sends a newline cannot make the client buffer without bound.
public struct WatchLineSplitter: Sendable {
    /// Longest accepted line, in bytes.
    public let maxLineBytes: Int
    private var buffer = ByteBuffer()

    /// A splitter refusing lines over `maxLineBytes` bytes.
    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Why the stream cannot be split.
    public enum Failure: Error, Equatable {
        /// A line (or the unfinished rest) of this many bytes is over the limit.
        case lineTooLong(Int)
    }

    /// Appends received bytes.
    public mutating func append(_ bytes: ByteBuffer) throws {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
        if buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) == nil, buffer.readableBytes > maxLineBytes {
            throw Failure.lineTooLong(buffer.readableBytes)
        }
    }

    /// The next complete line without its newline, or nil when none is complete yet.
    public mutating func nextLine() throws -> ByteBuffer? {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes == 0 { buffer.clear() }
            return nil
        }
        let length = newline - buffer.readerIndex
        guard length <= maxLineBytes else { throw Failure.lineTooLong(length) }
        let line = buffer.readSlice(length: length)
        buffer.moveReaderIndex(forwardBy: 1)
        if buffer.readableBytes == 0 { buffer.clear() } else if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
        return line
    }

    /// What is left after the stream ended (a final line without a newline), if anything but whitespace.
    public mutating func remainder() -> ByteBuffer? {
        let rest = buffer.readSlice(length: buffer.readableBytes)
        guard let rest, rest.readableBytesView.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            return nil
        }
        return rest
    }
}
