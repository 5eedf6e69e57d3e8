/// A series prepared once for sending: labels normalised (external labels applied), the 1.0
/// label bytes pre-rendered, label strings numbered for the 2.0 symbols table, and a hash
/// that picks its shard.
///
/// Create one per series and keep it; appending samples then costs no label work.
public final class RemoteWriteSeries: Sendable, Hashable, CustomStringConvertible {
    /// The labels as sent (sorted, no empty values, external labels added).
    public let labels: Labels
    /// Type, help and unit (sent with 2.0 only).
    public let metadata: MetricMetadata?
    /// 64-bit FNV-1a hash of the rendered labels; picks the shard, so a series always uses one shard.
    public let hash: UInt64

    /// The `repeated Label labels = 1` fields of a 1.0 TimeSeries.
    @usableFromInline let v1LabelBytes: [UInt8]
    /// Interned numbers of name, value, name, value, … (2.0 `labels_refs` before remapping).
    /// For each label string (name, value, name, value, …) three numbers: its interned number,
    /// and the offset and length of its UTF-8 inside `v1LabelBytes`. One flat array keeps the
    /// 2.0 encoder's per-sample memory accesses few (it is bound by cache misses).
    @usableFromInline let symbolTable: [UInt32]
    /// Interned numbers of help and unit (`UInt32.max` when empty) and their bytes.
    @usableFromInline let helpID: UInt32
    @usableFromInline let unitID: UInt32
    @usableFromInline let helpBytes: [UInt8]
    @usableFromInline let unitBytes: [UInt8]
    /// The metadata type's wire value, and whether there is metadata (read per sample without copying strings).
    @usableFromInline let metadataType: UInt8
    @usableFromInline let hasMetadata: Bool
    /// The largest interned number this series uses (sizes the encoder's look-up table).
    @usableFromInline let maxSymbolID: Int

    /// Prepares a series. `interner` must be the one of the writer (or encoder) that sends it.
    public init(labels: Labels, metadata: MetricMetadata? = nil, interner: SymbolInterner) {
        self.labels = labels
        self.metadata = metadata
        var bytes: [UInt8] = []
        var ids: [UInt32] = []
        var table: [UInt32] = []
        table.reserveCapacity(labels.count * 6)
        for label in labels {
            let name = Array(label.name.utf8)
            let value = Array(label.value.utf8)
            let inner = 1 + ProtobufWriter.varintSize(UInt64(name.count)) + name.count
                + 1 + ProtobufWriter.varintSize(UInt64(value.count)) + value.count
            ProtobufWriter.appendTag(1, .lengthDelimited, to: &bytes)
            ProtobufWriter.appendVarint(UInt64(inner), to: &bytes)
            ProtobufWriter.appendBytes(field: 1, name, to: &bytes)
            let nameOffset = bytes.count - name.count
            ProtobufWriter.appendBytes(field: 2, value, to: &bytes)
            let valueOffset = bytes.count - value.count
            let nameID = interner.intern(label.name)
            let valueID = interner.intern(label.value)
            ids += [nameID, valueID]
            table += [nameID, UInt32(nameOffset), UInt32(name.count), valueID, UInt32(valueOffset), UInt32(value.count)]
        }
        v1LabelBytes = bytes
        symbolTable = table
        let help = metadata?.help ?? ""
        let unit = metadata?.unit ?? ""
        helpID = help.isEmpty ? .max : interner.intern(help)
        unitID = unit.isEmpty ? .max : interner.intern(unit)
        metadataType = metadata?.type.rawValue ?? 0
        hasMetadata = metadata != nil
        maxSymbolID = Int((ids + [helpID, unitID].filter { $0 != .max }).max() ?? 0)
        helpBytes = Array(help.utf8)
        unitBytes = Array(unit.utf8)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        hash = h
    }

    public static func == (lhs: RemoteWriteSeries, rhs: RemoteWriteSeries) -> Bool {
        lhs === rhs || (lhs.labels == rhs.labels && lhs.metadata == rhs.metadata)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    public var description: String { labels.description }
}

/// One sample waiting to be sent: a prepared series, a value and a time.
public struct PendingSample: Sendable {
    /// The series the sample belongs to.
    public var series: RemoteWriteSeries
    /// The value (the stale-marker NaN ends the series).
    public var value: Double
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64

    /// Creates a pending sample; `timestamp` is in milliseconds since the Unix epoch.
    public init(series: RemoteWriteSeries, value: Double, timestamp: Int64) {
        self.series = series
        self.value = value
        self.timestamp = timestamp
    }
}
