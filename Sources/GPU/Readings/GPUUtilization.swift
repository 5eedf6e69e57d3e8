/// Busy time of one GPU over NVML's last sample period (between 1/6 s and 1 s, depending on the product).
public struct GPUUtilization: Sendable, Hashable {
    /// Percent of the period (0–100) during which at least one kernel was executing.
    public var gpuPercent: UInt32
    /// Percent of the period (0–100) during which device memory was being read or written.
    public var memoryPercent: UInt32

    /// Creates a reading; both figures in percent, 0–100.
    public init(gpuPercent: UInt32, memoryPercent: UInt32) {
        self.gpuPercent = gpuPercent
        self.memoryPercent = memoryPercent
    }
}
