/// Everything read from one GPU in one pass. A figure that could not be read is nil (absent, never zero);
/// why it could not is in ``errors``.
public struct GPUDeviceReading: Sendable, Hashable {
    /// The GPU's index in NVML order.
    public var index: UInt32
    /// `GPU-…` identity; empty when it could not be read.
    public var uuid: String
    /// Product name, e.g. `NVIDIA H100 80GB HBM3`; empty when it could not be read.
    public var model: String
    /// Frame-buffer memory; nil when it could not be read (then the GPU counts as down).
    public var memory: GPUMemory?
    /// Busy percentages; nil when unsupported or unreadable.
    public var utilization: GPUUtilization?
    /// Compute processes and their memory, largest first, at most the configured number; nil when
    /// unsupported, unreadable, or not asked for.
    public var processes: [GPUProcessMemory]?
    /// Processes left out by the per-GPU cap on ``processes``.
    public var processesOmitted: Int
    /// The MIG devices of a GPU in MIG mode, in index order; nil when MIG is off, unsupported, or the
    /// library lacks the MIG calls.
    public var migDevices: [MIGDeviceReading]?
    /// Calls that failed for this GPU, other than `NOT_SUPPORTED` for optional figures.
    public var errors: [NVMLError]

    /// Creates a reading; see the properties for units.
    public init(index: UInt32, uuid: String = "", model: String = "", memory: GPUMemory? = nil,
                utilization: GPUUtilization? = nil, processes: [GPUProcessMemory]? = nil,
                processesOmitted: Int = 0, migDevices: [MIGDeviceReading]? = nil, errors: [NVMLError] = []) {
        self.index = index
        self.uuid = uuid
        self.model = model
        self.memory = memory
        self.utilization = utilization
        self.processes = processes
        self.processesOmitted = processesOmitted
        self.migDevices = migDevices
        self.errors = errors
    }

    /// Whether the GPU answered: its memory was read.
    public var isUp: Bool { memory != nil }
}
