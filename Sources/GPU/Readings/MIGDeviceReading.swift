/// One MIG device (a slice of a GPU in MIG mode) as NVML reports it: its identity and its own share of the
/// parent's frame-buffer memory. Pods are given MIG devices, not the parent, when MIG is on.
public struct MIGDeviceReading: Sendable, Hashable {
    /// The MIG device's index under its parent (`nvmlDeviceGetMigDeviceHandleByIndex`).
    public var index: UInt32
    /// `MIG-…` identity, the ID the NVIDIA device plugin hands to pods; empty when it could not be read.
    public var uuid: String
    /// The GPU instance ID, for the older `MIG-GPU-<parent uuid>/<gi>/<ci>` device IDs; nil when unread.
    public var gpuInstance: UInt32?
    /// The compute instance ID within the GPU instance; nil when unread.
    public var computeInstance: UInt32?
    /// The slice's memory, bytes; nil when it could not be read (then the slice counts as down).
    public var memory: GPUMemory?
    /// Calls that failed for this MIG device.
    public var errors: [NVMLError]

    /// Creates a reading; memory in bytes.
    public init(index: UInt32, uuid: String = "", gpuInstance: UInt32? = nil, computeInstance: UInt32? = nil,
                memory: GPUMemory? = nil, errors: [NVMLError] = []) {
        self.index = index
        self.uuid = uuid
        self.gpuInstance = gpuInstance
        self.computeInstance = computeInstance
        self.memory = memory
        self.errors = errors
    }

    /// Whether the slice answered: its memory was read.
    public var isUp: Bool { memory != nil }
}
