/// An opaque `nvmlDevice_t` with the index it was obtained by. Valid while NVML stays initialised.
public struct NVMLDevice: @unchecked Sendable {
    /// The GPU's index in NVML order.
    public var index: UInt32
    let handle: OpaquePointer?
}
