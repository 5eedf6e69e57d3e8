import Kubernetes
import NIOCore

/// The input is cut into chunks (sizes from its first byte) as a network would deliver it. The
/// lines the splitter returns, joined by newlines with the remainder, must be the input again,
/// no line may exceed the limit, and every line goes through the event decoder.
enum WatchFuzz {
    static let maxLineBytes = 1024

    static func run(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let body = bytes.dropFirst()
        let chunk = Int(first % 64) + 1
        var splitter = WatchLineSplitter(maxLineBytes: maxLineBytes)
        var rebuilt: [UInt8] = []
        var offset = body.startIndex
        do {
            while offset < body.endIndex {
                let end = min(offset + chunk, body.endIndex)
                try splitter.append(ByteBuffer(bytes: body[offset..<end]))
                offset = end
                while let line = try splitter.nextLine() {
                    precondition(line.readableBytes <= maxLineBytes, "a line of \(line.readableBytes) bytes passed a \(maxLineBytes)-byte limit")
                    rebuilt += line.readableBytesView
                    rebuilt.append(UInt8(ascii: "\n"))
                    _ = try? WatchEvent<Pod>.decode(line: line.readableBytesView)
                }
            }
        } catch {
            return  // a line over the limit: the watch is refused, which is correct
        }
        let consumed = rebuilt.count
        if let rest = splitter.remainder() {
            rebuilt += rest.readableBytesView
            _ = try? WatchEvent<Pod>.decode(line: rest.readableBytesView)
        }
        // The remainder is dropped when it is only whitespace; the rest must match byte for byte.
        precondition(Array(body.prefix(consumed)) == Array(rebuilt.prefix(consumed)), "the splitter changed the bytes of a line")
        precondition(rebuilt.count == body.count || body.dropFirst(consumed).allSatisfy { [0x20, 0x0A, 0x0D, 0x09].contains($0) },
                     "the splitter lost \(body.count - rebuilt.count) bytes")
    }
}
