/// GPU memory held by one compute process on one GPU.
public struct GPUProcessMemory: Sendable, Hashable {
    /// The process id in the host's PID namespace (mapping it to a pod needs hostPID or cgroup lookups).
    public var pid: UInt32
    /// Memory the process holds on this GPU, bytes; nil when NVML does not know (`NVML_VALUE_NOT_AVAILABLE`).
    public var usedBytes: UInt64?

    /// Creates a reading; `usedBytes` in bytes.
    public init(pid: UInt32, usedBytes: UInt64?) {
        self.pid = pid
        self.usedBytes = usedBytes
    }
}
