/// Frame-buffer memory of one GPU as NVML reports it, in bytes.
public struct GPUMemory: Sendable, Hashable {
    /// Installed frame-buffer memory, bytes.
    public var totalBytes: UInt64
    /// Memory not allocated to anyone, bytes.
    public var freeBytes: UInt64
    /// Memory NVML reports as used, bytes. With the v1 call this is `total - free` (driver reservation
    /// included); with v2 recent drivers leave the reservation out (see ``reservedBytes``).
    public var usedBytes: UInt64
    /// Memory reserved by the driver and firmware, bytes; nil when only the v1 call was available.
    public var reservedBytes: UInt64?

    /// Creates a reading; all figures in bytes.
    public init(totalBytes: UInt64, freeBytes: UInt64, usedBytes: UInt64, reservedBytes: UInt64?) {
        self.totalBytes = totalBytes
        self.freeBytes = freeBytes
        self.usedBytes = usedBytes
        self.reservedBytes = reservedBytes
    }

    /// The share of memory not free, `(total - free) / total`, from 0 to 1: the same figure from either NVML
    /// call version, whatever the driver counts as "used". nil when the total is 0 (no dedicated memory).
    public var usedRatio: Double? {
        guard totalBytes > 0 else { return nil }
        return Double(totalBytes - min(freeBytes, totalBytes)) / Double(totalBytes)
    }
}
