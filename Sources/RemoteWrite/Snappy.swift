import CSnappy

/// Snappy block-format compression (not the framed/stream format), as remote-write requires.
///
/// Backed by the system snappy C library. Both functions write into caller-owned, reusable
/// buffers so the hot path allocates only when a buffer has to grow.
public enum Snappy {
    /// Compresses `input` into `output`, replacing its contents.
    ///
    /// `output` keeps its capacity between calls; reuse one buffer per sender.
    public static func compress(_ input: [UInt8], into output: inout [UInt8]) {
        input.withUnsafeBufferPointer { compress(UnsafeRawBufferPointer($0), into: &output) }
    }

    /// Compresses the bytes in `input` into `output`, replacing its contents.
    public static func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        let bound = snappy_max_compressed_length(input.count)
        if output.count < bound {
            output.append(contentsOf: repeatElement(0, count: bound - output.count))
        }
        var written = bound
        let status = output.withUnsafeMutableBufferPointer { out in
            snappy_compress(
                input.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer(bitPattern: 1)!,
                input.count,
                UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self),
                &written
            )
        }
        // snappy_compress fails only when the output buffer is too small, which the bound rules out.
        precondition(status == SNAPPY_OK, "snappy_compress failed with an output buffer of the documented bound")
        output.removeLast(output.count - written)
    }

    /// Decompresses a snappy block into `output`, replacing its contents.
    ///
    /// - Parameter maxLength: refuse inputs that claim to expand beyond this many bytes
    ///   (bounds memory on hostile input).
    /// - Throws: `SnappyError` when the input is not a valid snappy block or is too large.
    public static func decompress(_ input: [UInt8], into output: inout [UInt8], maxLength: Int = 64 << 20) throws(SnappyError) {
        try input.withUnsafeBufferPointer { (inp) throws(SnappyError) in
            let source = UnsafeRawPointer(inp.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            var length = 0
            guard snappy_uncompressed_length(source, inp.count, &length) == SNAPPY_OK else {
                throw SnappyError(message: "not a snappy block: the length preamble is invalid (\(inp.count) bytes of input)")
            }
            guard length <= maxLength else {
                throw SnappyError(message: "snappy block expands to \(length) bytes, more than the limit of \(maxLength)")
            }
            output.removeAll(keepingCapacity: true)
            output.append(contentsOf: repeatElement(0, count: length))
            var written = length
            let status = output.withUnsafeMutableBufferPointer { out in
                snappy_uncompress(source, inp.count, UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self), &written)
            }
            guard status == SNAPPY_OK, written == length else {
                throw SnappyError(message: "corrupt snappy block (\(inp.count) bytes): decompression failed")
            }
        }
    }

    /// Decompresses a snappy block into a new array.
    public static func decompress(_ input: [UInt8], maxLength: Int = 64 << 20) throws(SnappyError) -> [UInt8] {
        var out: [UInt8] = []
        try decompress(input, into: &out, maxLength: maxLength)
        return out
    }
}

/// A snappy block could not be decompressed.
public struct SnappyError: Error, Sendable, CustomStringConvertible {
    /// What was wrong with the input.
    public var message: String
    public var description: String { "snappy: \(message)" }
}
