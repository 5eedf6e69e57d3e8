/// Encodes batches of samples as remote-write 1.0 or 2.0 protobuf and compresses them with snappy.
///
/// Keeps its scratch buffers between calls: one encoder per sending task, reused for every
/// request, so steady-state encoding allocates nothing. Each sample becomes its own TimeSeries
/// entry, which keeps per-series order trivially and is how Prometheus batches too.
public struct WriteRequestEncoder: Sendable {
    @usableFromInline var body: [UInt8] = []
    @usableFromInline var series: [UInt8] = []
    @usableFromInline var refs: [UInt32] = []
    // 2.0 symbols: interned number -> index in this request, valid when stamp == generation.
    @usableFromInline var localIndex: [UInt32] = []
    @usableFromInline var stamp: [UInt32] = []
    @usableFromInline var generation: UInt32 = 0

    /// Creates an encoder with empty buffers.
    public init() {}

    /// Encodes `samples` as an uncompressed protobuf message into `output` (replacing its contents).
    public mutating func encode(_ samples: [PendingSample], version: RemoteWriteVersion, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        switch version {
        case .v1: encodeV1(samples, into: &output)
        case .v2: encodeV2(samples, into: &output)
        }
    }

    /// Encodes `samples` and snappy-compresses the message into `output` (replacing its contents).
    ///
    /// - Returns: the size of the uncompressed message in bytes.
    @discardableResult
    public mutating func encodeCompressed(_ samples: [PendingSample], version: RemoteWriteVersion, into output: inout [UInt8]) -> Int {
        var body = self.body
        self.body = []
        encode(samples, version: version, into: &body)
        Snappy.compress(body, into: &output)
        let count = body.count
        self.body = body
        return count
    }

    // MARK: 1.0

    @inline(__always)
    static func sampleMessageSize(_ timestamp: Int64) -> Int {
        9 + 1 + ProtobufWriter.varintSize(UInt64(bitPattern: timestamp))
    }

    mutating func encodeV1(_ samples: [PendingSample], into out: inout [UInt8]) {
        var estimate = 0
        for s in samples { estimate += s.series.v1LabelBytes.count + 32 }
        out.reserveCapacity(estimate)
        for s in samples {
            let sampleSize = Self.sampleMessageSize(s.timestamp)
            let labels = s.series.v1LabelBytes
            let seriesSize = labels.count + 1 + ProtobufWriter.varintSize(UInt64(sampleSize)) + sampleSize
            // WriteRequest.timeseries = 1
            ProtobufWriter.appendTag(1, .lengthDelimited, to: &out)
            ProtobufWriter.appendVarint(UInt64(seriesSize), to: &out)
            // TimeSeries.labels = 1 (pre-rendered), TimeSeries.samples = 2
            out.append(contentsOf: labels)
            ProtobufWriter.appendTag(2, .lengthDelimited, to: &out)
            ProtobufWriter.appendVarint(UInt64(sampleSize), to: &out)
            ProtobufWriter.appendDouble(field: 1, s.value, to: &out)
            ProtobufWriter.appendInt64(field: 2, s.timestamp, to: &out)
        }
    }

    // MARK: 2.0

    /// The request-local index of interned string `id`, appending the symbol on first use.
    /// `stamp`/`local` are the look-up tables, sized beyond every id of the batch.
    @inline(__always)
    static func symbolIndex(
        _ id: UInt32, stamp: UnsafeMutablePointer<UInt32>, local: UnsafeMutablePointer<UInt32>, generation: UInt32,
        next: inout UInt32, symbols: inout [UInt8], bytes: () -> [UInt8]
    ) -> UInt32 {
        let i = Int(id)
        if stamp[i] == generation { return local[i] }
        stamp[i] = generation
        local[i] = next
        next += 1
        ProtobufWriter.appendBytes(field: 4, bytes(), to: &symbols)
        return next - 1
    }

    mutating func encodeV2(_ samples: [PendingSample], into out: inout [UInt8]) {
        generation &+= 1
        if generation == 0 {
            // Wrapped: forget every stamp so no old entry looks current.
            for i in stamp.indices { stamp[i] = 0 }
            generation = 1
        }
        var maxID = 0
        for s in samples { maxID = Swift.max(maxID, s.series.maxSymbolID) }
        if maxID >= stamp.count {
            let grow = Swift.max(maxID + 1, stamp.count * 2) - stamp.count
            stamp.append(contentsOf: repeatElement(0, count: grow))
            localIndex.append(contentsOf: repeatElement(0, count: grow))
        }
        var body = self.series
        self.series = []
        body.removeAll(keepingCapacity: true)
        var refs = self.refs
        self.refs = []
        var stamp = self.stamp
        self.stamp = []
        var localIndex = self.localIndex
        self.localIndex = []
        let generation = self.generation
        defer {
            self.series = body
            self.refs = refs
            self.stamp = stamp
            self.localIndex = localIndex
        }
        // Request.symbols = 4; element 0 is the empty string.
        ProtobufWriter.appendTag(4, .lengthDelimited, to: &out)
        out.append(0)
        var next: UInt32 = 1
        stamp.withUnsafeMutableBufferPointer { stampBuffer in
            localIndex.withUnsafeMutableBufferPointer { localBuffer in
                let st = stampBuffer.baseAddress!
                let li = localBuffer.baseAddress!
                for s in samples {
                    let series = s.series
                    refs.removeAll(keepingCapacity: true)
                    var refsSize = 0
                    series.symbolTable.withUnsafeBufferPointer { table in
                        var k = 0
                        while k < table.count {
                            let i = Int(table[k])
                            let r: UInt32
                            if st[i] == generation {
                                r = li[i]
                            } else {
                                st[i] = generation
                                li[i] = next
                                r = next
                                next += 1
                                let offset = Int(table[k + 1])
                                let length = Int(table[k + 2])
                                ProtobufWriter.appendTag(4, .lengthDelimited, to: &out)
                                ProtobufWriter.appendVarint(UInt64(length), to: &out)
                                series.v1LabelBytes.withUnsafeBufferPointer { labelBytes in
                                    out.append(contentsOf: UnsafeBufferPointer(rebasing: labelBytes[offset..<(offset + length)]))
                                }
                            }
                            refs.append(r)
                            refsSize += ProtobufWriter.varintSize(UInt64(r))
                            k += 3
                        }
                    }
                    var metadataSize = 0
                    var helpRef: UInt32 = 0
                    var unitRef: UInt32 = 0
                    if series.hasMetadata {
                        if series.metadataType != 0 { metadataSize += 2 }
                        if series.helpID != .max {
                            helpRef = Self.symbolIndex(series.helpID, stamp: st, local: li, generation: generation, next: &next, symbols: &out) { series.helpBytes }
                            metadataSize += 1 + ProtobufWriter.varintSize(UInt64(helpRef))
                        }
                        if series.unitID != .max {
                            unitRef = Self.symbolIndex(series.unitID, stamp: st, local: li, generation: generation, next: &next, symbols: &out) { series.unitBytes }
                            metadataSize += 1 + ProtobufWriter.varintSize(UInt64(unitRef))
                        }
                    }
                    let sampleSize = Self.sampleMessageSize(s.timestamp)
                    var seriesSize = 1 + ProtobufWriter.varintSize(UInt64(refsSize)) + refsSize
                        + 1 + ProtobufWriter.varintSize(UInt64(sampleSize)) + sampleSize
                    if series.hasMetadata {
                        seriesSize += 1 + ProtobufWriter.varintSize(UInt64(metadataSize)) + metadataSize
                    }
                    // Request.timeseries = 5
                    ProtobufWriter.appendTag(5, .lengthDelimited, to: &body)
                    ProtobufWriter.appendVarint(UInt64(seriesSize), to: &body)
                    // TimeSeries.labels_refs = 1, packed
                    ProtobufWriter.appendTag(1, .lengthDelimited, to: &body)
                    ProtobufWriter.appendVarint(UInt64(refsSize), to: &body)
                    for r in refs { ProtobufWriter.appendVarint(UInt64(r), to: &body) }
                    // TimeSeries.samples = 2
                    ProtobufWriter.appendTag(2, .lengthDelimited, to: &body)
                    ProtobufWriter.appendVarint(UInt64(sampleSize), to: &body)
                    ProtobufWriter.appendDouble(field: 1, s.value, to: &body)
                    ProtobufWriter.appendInt64(field: 2, s.timestamp, to: &body)
                    // TimeSeries.metadata = 5: type = 1, help_ref = 3, unit_ref = 4
                    if series.hasMetadata {
                        ProtobufWriter.appendTag(5, .lengthDelimited, to: &body)
                        ProtobufWriter.appendVarint(UInt64(metadataSize), to: &body)
                        if series.metadataType != 0 {
                            ProtobufWriter.appendTag(1, .varint, to: &body)
                            ProtobufWriter.appendVarint(UInt64(series.metadataType), to: &body)
                        }
                        if series.helpID != .max {
                            ProtobufWriter.appendTag(3, .varint, to: &body)
                            ProtobufWriter.appendVarint(UInt64(helpRef), to: &body)
                        }
                        if series.unitID != .max {
                            ProtobufWriter.appendTag(4, .varint, to: &body)
                            ProtobufWriter.appendVarint(UInt64(unitRef), to: &body)
                        }
                    }
                }
            }
        }
        out.append(contentsOf: body)
    }
}
