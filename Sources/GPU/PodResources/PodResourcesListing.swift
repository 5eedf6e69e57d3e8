/// What the kubelet's pod-resources `List` call said, reduced to what the agent needs: for every container,
/// the device IDs allocated to it per resource name. Plain values, so that the mapping can be tested
/// without gRPC; ``init(_:)`` in `PodResourcesListing+Proto.swift` converts the wire message.
public struct PodResourcesListing: Sendable, Hashable {
    /// One allocation: `resource` (e.g. `nvidia.com/gpu`) and the device IDs the device plugin reported.
    public struct Allocation: Sendable, Hashable {
        /// The container holding the devices.
        public var holder: GPUHolder
        /// The extended resource name, e.g. `nvidia.com/gpu` or `nvidia.com/mig-1g.10gb`.
        public var resource: String
        /// The device IDs, e.g. `GPU-5b1e…`, `MIG-9f2c…`, `GPU-5b1e…::3` (a time-sliced replica).
        public var deviceIDs: [String]

        /// Creates an allocation.
        public init(holder: GPUHolder, resource: String, deviceIDs: [String]) {
            self.holder = holder
            self.resource = resource
            self.deviceIDs = deviceIDs
        }
    }

    /// Every container's device allocations, in the kubelet's order.
    public var allocations: [Allocation]

    /// Creates a listing.
    public init(allocations: [Allocation] = []) {
        self.allocations = allocations
    }
}
