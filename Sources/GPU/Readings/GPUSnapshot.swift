/// One pass over every GPU on the node, or why NVML could not be used at all.
public struct GPUSnapshot: Sendable, Hashable {
    /// Why NVML is unusable (library or symbol missing, `nvmlInit` or the device count failed); nil when it
    /// worked. When set, there are no ``devices``: GPU metrics are absent, not zero.
    public var unavailable: NVMLError?
    /// The GPU count NVML reported; nil when NVML is unavailable.
    public var deviceCount: UInt32?
    /// One reading per GPU, in NVML index order.
    public var devices: [GPUDeviceReading]
    /// How long the pass took, seconds.
    public var readSeconds: Double

    /// Creates a snapshot; `readSeconds` in seconds.
    public init(unavailable: NVMLError? = nil, deviceCount: UInt32? = nil, devices: [GPUDeviceReading] = [],
                readSeconds: Double = 0) {
        self.unavailable = unavailable
        self.deviceCount = deviceCount
        self.devices = devices
        self.readSeconds = readSeconds
    }

    /// A snapshot saying NVML could not be used, for `error`.
    public static func unavailable(_ error: NVMLError) -> GPUSnapshot {
        GPUSnapshot(unavailable: error)
    }

    /// Whether NVML was loaded and initialised and the GPUs could be counted.
    public var isNVMLUp: Bool { unavailable == nil }
}
