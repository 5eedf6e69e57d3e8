/// Appends protobuf wire-format primitives to a `[UInt8]` buffer.
///
/// Only what the remote-write messages need: varints, little-endian fixed64 doubles,
/// and length-delimited fields. The encoders compute every nested message's length before
/// writing it, so no temporary buffers or back-patching are needed.
@usableFromInline
struct ProtobufWriter {
    /// Wire types used by remote-write.
    @usableFromInline enum WireType: UInt8 { case varint = 0, fixed64 = 1, lengthDelimited = 2 }

    @inlinable @inline(__always)
    static func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    @inlinable @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per started group of 7 bits; 0 needs one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inlinable @inline(__always)
    static func appendTag(_ field: UInt32, _ type: WireType, to buffer: inout [UInt8]) {
        appendVarint(UInt64(field << 3 | UInt32(type.rawValue)), to: &buffer)
    }

    @inlinable @inline(__always)
    static func appendDouble(field: UInt32, _ value: Double, to buffer: inout [UInt8]) {
        appendTag(field, .fixed64, to: &buffer)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { buffer.append(contentsOf: $0) }
    }

    @inlinable @inline(__always)
    static func appendInt64(field: UInt32, _ value: Int64, to buffer: inout [UInt8]) {
        appendTag(field, .varint, to: &buffer)
        appendVarint(UInt64(bitPattern: value), to: &buffer)
    }

    @inlinable @inline(__always)
    static func appendBytes(field: UInt32, _ bytes: [UInt8], to buffer: inout [UInt8]) {
        appendTag(field, .lengthDelimited, to: &buffer)
        appendVarint(UInt64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
    }
}
