import RemoteWrite

/// One decoded sample: the value's exact bits (so the stale NaN can be told apart) and its time.
public struct DecodedSample: Sendable, Equatable, CustomStringConvertible {
    /// The IEEE 754 bits of the value.
    public var valueBits: UInt64
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    /// 2.0 `start_timestamp` in milliseconds (0 = unset).
    public var startTimestamp: Int64 = 0

    /// The value as a double.
    public var value: Double { Double(bitPattern: valueBits) }
    /// Whether the value is the stale marker.
    public var isStaleMarker: Bool { valueBits == StaleMarker.bitPattern }

    public init(value: Double, timestamp: Int64) {
        self.valueBits = value.bitPattern
        self.timestamp = timestamp
    }

    public var description: String { "\(isStaleMarker ? "stale" : "\(value)")@\(timestamp)" }
}

/// One decoded TimeSeries with its labels in the order they were on the wire.
public struct DecodedSeries: Sendable, Equatable, CustomStringConvertible {
    /// Labels as sent (not re-sorted, so tests can check the sender's order).
    public var labels: [Label]
    /// Samples in wire order.
    public var samples: [DecodedSample]
    /// 2.0 metadata (resolved), `nil` when absent.
    public var metadata: MetricMetadata?

    public init(labels: [Label], samples: [DecodedSample], metadata: MetricMetadata?) {
        self.labels = labels
        self.samples = samples
        self.metadata = metadata
    }

    /// The labels as a dictionary.
    public var labelDictionary: [String: String] { Dictionary(labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }) }

    public var description: String { "\(labels) \(samples)" }
}

/// A decoded 2.0 request.
public struct DecodedV2Request: Sendable, Equatable {
    /// The symbols table.
    public var symbols: [String]
    /// Its series, with references resolved.
    public var series: [DecodedSeries]
}

/// A payload is not valid remote-write.
public struct RemoteWriteDecodeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "remote-write decode: \(message)" }
}

/// A small, strict protobuf decoder for the remote-write messages (tests only).
public enum RemoteWriteDecoder {
    /// Decodes a 1.0 `prometheus.WriteRequest` (uncompressed).
    public static func decodeV1(_ bytes: [UInt8]) throws -> [DecodedSeries] {
        var reader = Reader(bytes[...])
        var result: [DecodedSeries] = []
        while let (field, wire) = try reader.tag() {
            if field == 1, wire == 2 {
                result.append(try decodeV1Series(try reader.lengthDelimited()))
            } else {
                try reader.skip(wire)
            }
        }
        return result
    }

    static func decodeV1Series(_ bytes: ArraySlice<UInt8>) throws -> DecodedSeries {
        var reader = Reader(bytes)
        var series = DecodedSeries(labels: [], samples: [], metadata: nil)
        while let (field, wire) = try reader.tag() {
            switch (field, wire) {
            case (1, 2):
                var l = Reader(try reader.lengthDelimited())
                var name = "", value = ""
                while let (f, w) = try l.tag() {
                    switch (f, w) {
                    case (1, 2): name = try l.string()
                    case (2, 2): value = try l.string()
                    default: try l.skip(w)
                    }
                }
                series.labels.append(Label(name: name, value: value))
            case (2, 2):
                series.samples.append(try decodeSample(try reader.lengthDelimited()))
            default:
                try reader.skip(wire)
            }
        }
        return series
    }

    static func decodeSample(_ bytes: ArraySlice<UInt8>) throws -> DecodedSample {
        var reader = Reader(bytes)
        var sample = DecodedSample(value: 0, timestamp: 0)
        while let (field, wire) = try reader.tag() {
            switch (field, wire) {
            case (1, 1): sample.valueBits = try reader.fixed64()
            case (2, 0): sample.timestamp = Int64(bitPattern: try reader.varint())
            case (3, 0): sample.startTimestamp = Int64(bitPattern: try reader.varint())
            default: try reader.skip(wire)
            }
        }
        return sample
    }

    /// Decodes and validates a 2.0 `io.prometheus.write.v2.Request` (uncompressed): symbol 0 is
    /// empty, label references come in pairs and are in range, each series has a sample.
    public static func decodeV2(_ bytes: [UInt8]) throws -> DecodedV2Request {
        var reader = Reader(bytes[...])
        var symbols: [String] = []
        var rawSeries: [ArraySlice<UInt8>] = []
        while let (field, wire) = try reader.tag() {
            switch (field, wire) {
            case (4, 2): symbols.append(try reader.string())
            case (5, 2): rawSeries.append(try reader.lengthDelimited())
            case (1...3, _): throw RemoteWriteDecodeError(message: "field \(field) is reserved in a 2.0 request")
            default: try reader.skip(wire)
            }
        }
        guard symbols.first == "" else { throw RemoteWriteDecodeError(message: "symbols[0] must be the empty string, got \(symbols.first.map { "'\($0)'" } ?? "no symbols")") }
        func symbol(_ ref: UInt64) throws -> String {
            guard ref < symbols.count else { throw RemoteWriteDecodeError(message: "symbol reference \(ref) out of range (\(symbols.count) symbols)") }
            return symbols[Int(ref)]
        }
        var series: [DecodedSeries] = []
        for raw in rawSeries {
            var r = Reader(raw)
            var refs: [UInt64] = []
            var s = DecodedSeries(labels: [], samples: [], metadata: nil)
            while let (field, wire) = try r.tag() {
                switch (field, wire) {
                case (1, 2):
                    var packed = Reader(try r.lengthDelimited())
                    while !packed.atEnd { refs.append(try packed.varint()) }
                case (1, 0): refs.append(try r.varint())
                case (2, 2): s.samples.append(try decodeSample(try r.lengthDelimited()))
                case (5, 2):
                    var m = Reader(try r.lengthDelimited())
                    var md = MetricMetadata(type: .unspecified)
                    while let (f, w) = try m.tag() {
                        switch (f, w) {
                        case (1, 0):
                            let raw = try m.varint()
                            guard let t = MetricMetadata.MetricType(rawValue: UInt8(truncatingIfNeeded: raw)), raw < 8 else {
                                throw RemoteWriteDecodeError(message: "unknown metric type \(raw)")
                            }
                            md.type = t
                        case (3, 0): md.help = try symbol(try m.varint())
                        case (4, 0): md.unit = try symbol(try m.varint())
                        default: try m.skip(w)
                        }
                    }
                    s.metadata = md
                case (6, _): throw RemoteWriteDecodeError(message: "TimeSeries field 6 is reserved in 2.0-rc.4")
                default: try r.skip(wire)
                }
            }
            guard !refs.isEmpty, refs.count % 2 == 0 else { throw RemoteWriteDecodeError(message: "labels_refs must be a non-empty even list, got \(refs.count) entries") }
            for i in stride(from: 0, to: refs.count, by: 2) {
                s.labels.append(Label(name: try symbol(refs[i]), value: try symbol(refs[i + 1])))
            }
            guard !s.samples.isEmpty else { throw RemoteWriteDecodeError(message: "series \(s.labels) has no samples") }
            series.append(s)
        }
        return DecodedV2Request(symbols: symbols, series: series)
    }

    /// Checks the label rules: sorted by name, no empty names or values, no repeated names.
    public static func checkLabels(_ labels: [Label]) throws {
        for (i, label) in labels.enumerated() {
            guard !label.name.isEmpty, !label.value.isEmpty else { throw RemoteWriteDecodeError(message: "empty label name or value in \(labels)") }
            if i > 0, !Labels.precedes(labels[i - 1].name, label.name) {
                throw RemoteWriteDecodeError(message: "labels not sorted or repeated at '\(label.name)' in \(labels)")
            }
        }
    }

    struct Reader {
        var bytes: ArraySlice<UInt8>
        var index: Int
        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.index = bytes.startIndex
        }
        var atEnd: Bool { index >= bytes.endIndex }

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.endIndex else { throw RemoteWriteDecodeError(message: "truncated varint") }
                let b = bytes[index]
                index += 1
                guard shift < 64 else { throw RemoteWriteDecodeError(message: "varint longer than 10 bytes") }
                result |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }

        mutating func tag() throws -> (UInt64, UInt64)? {
            guard !atEnd else { return nil }
            let t = try varint()
            guard t >> 3 != 0 else { throw RemoteWriteDecodeError(message: "field number 0") }
            return (t >> 3, t & 7)
        }

        mutating func fixed64() throws -> UInt64 {
            guard bytes.endIndex - index >= 8 else { throw RemoteWriteDecodeError(message: "truncated fixed64") }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[index + k]) << (8 * UInt64(k)) }
            index += 8
            return v
        }

        mutating func lengthDelimited() throws -> ArraySlice<UInt8> {
            let n = try varint()
            guard n <= UInt64(bytes.endIndex - index) else { throw RemoteWriteDecodeError(message: "length \(n) runs past the end") }
            let slice = bytes[index..<(index + Int(n))]
            index += Int(n)
            return slice
        }

        mutating func string() throws -> String {
            let s = try lengthDelimited()
            guard let text = String(validating: s, as: UTF8.self) else { throw RemoteWriteDecodeError(message: "string is not UTF-8") }
            return text
        }

        mutating func skip(_ wire: UInt64) throws {
            switch wire {
            case 0: _ = try varint()
            case 1: _ = try fixed64()
            case 2: _ = try lengthDelimited()
            case 5:
                guard bytes.endIndex - index >= 4 else { throw RemoteWriteDecodeError(message: "truncated fixed32") }
                index += 4
            default: throw RemoteWriteDecodeError(message: "unsupported wire type \(wire)")
            }
        }
    }
}
