@testable import GPU
import Testing

/// The join of the kubelet's device IDs with NVML's UUIDs, pure.
@Suite struct GPUAllocationsTests {
    static let whole = "GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11"
    static let sliced = "GPU-a9f07c44-12e3-45bc-8a0d-7c6e5d4b3a29"
    static let migParent = "GPU-3c2d1e0f-aaaa-bbbb-cccc-0123456789ab"
    static let free = "GPU-77777777-0000-1111-2222-333333333333"
    static let migA = "MIG-11111111-2222-3333-4444-555555555555"
    static let migB = "MIG-66666666-7777-8888-9999-000000000000"

    static let snapshot = GPUSnapshot(deviceCount: 4, devices: [
        GPUDeviceReading(index: 0, uuid: whole),
        GPUDeviceReading(index: 1, uuid: sliced),
        GPUDeviceReading(index: 2, uuid: migParent, migDevices: [
            MIGDeviceReading(index: 0, uuid: migA, gpuInstance: 1, computeInstance: 0),
            MIGDeviceReading(index: 1, uuid: migB, gpuInstance: 2, computeInstance: 0),
        ]),
        GPUDeviceReading(index: 3, uuid: free),
    ])

    static func holder(_ pod: String, _ container: String = "server", namespace: String = "llm") -> GPUHolder {
        GPUHolder(namespace: namespace, pod: pod, container: container)
    }

    static let listing = PodResourcesListing(allocations: [
        .init(holder: holder("vllm-0"), resource: "nvidia.com/gpu", deviceIDs: [whole]),
        .init(holder: holder("tgi-0"), resource: "nvidia.com/gpu", deviceIDs: [sliced + "::0"]),
        .init(holder: holder("tgi-1"), resource: "nvidia.com/gpu", deviceIDs: [sliced + "::3"]),
        .init(holder: holder("small-0", namespace: "batch"), resource: "nvidia.com/mig-1g.10gb", deviceIDs: [migA]),
        // The older MIG device-ID scheme: parent UUID, GPU instance, compute instance.
        .init(holder: holder("small-1", namespace: "batch"), resource: "nvidia.com/mig-1g.10gb", deviceIDs: ["MIG-\(migParent)/2/0"]),
        .init(holder: holder("fpga-0"), resource: "example.com/fpga", deviceIDs: [free]),  // not a GPU resource
        .init(holder: holder("gone-0"), resource: "nvidia.com/gpu", deviceIDs: ["GPU-00000000-dead-beef-0000-000000000000"]),
    ])

    @Test func oneContainerHoldsAWholeGPU() {
        let allocations = GPUAllocations(listing: Self.listing, snapshot: Self.snapshot)
        #expect(allocations.holders(of: Self.whole) == [Self.holder("vllm-0")])
        #expect(allocations.allocation(of: Self.whole) == .exclusive)
    }

    @Test func timeSlicedReplicasShareTheGPU() {
        let allocations = GPUAllocations(listing: Self.listing, snapshot: Self.snapshot)
        #expect(allocations.holders(of: Self.sliced) == [Self.holder("tgi-0"), Self.holder("tgi-1")])
        #expect(allocations.allocation(of: Self.sliced) == .shared)
    }

    @Test func migDevicesMapByUUIDAndByTheOlderScheme() {
        let allocations = GPUAllocations(listing: Self.listing, snapshot: Self.snapshot)
        #expect(allocations.holders(of: Self.migA) == [Self.holder("small-0", namespace: "batch")])
        #expect(allocations.holders(of: Self.migB) == [Self.holder("small-1", namespace: "batch")])
        #expect(allocations.allocation(of: Self.migParent, inMIGMode: true) == .mig)
        #expect(allocations.holders(of: Self.migParent).isEmpty)
    }

    @Test func otherResourcesAreIgnoredAndUnknownIDsCounted() {
        let allocations = GPUAllocations(listing: Self.listing, snapshot: Self.snapshot)
        #expect(allocations.allocation(of: Self.free) == .free)
        #expect(allocations.unmatchedDeviceIDs == ["GPU-00000000-dead-beef-0000-000000000000"])
    }

    @Test func aContainerListedTwiceCountsOnce() {
        let twice = PodResourcesListing(allocations: [
            .init(holder: Self.holder("vllm-0"), resource: "nvidia.com/gpu", deviceIDs: [Self.whole]),
            .init(holder: Self.holder("vllm-0"), resource: "nvidia.com/gpu.shared", deviceIDs: [Self.whole + "::1"]),
        ])
        let allocations = GPUAllocations(listing: twice, snapshot: Self.snapshot)
        #expect(allocations.holders(of: Self.whole) == [Self.holder("vllm-0")])
        #expect(allocations.allocation(of: Self.whole) == .exclusive)
    }

    @Test func emptyListingLeavesEveryGPUFree() {
        let allocations = GPUAllocations(listing: PodResourcesListing(), snapshot: Self.snapshot)
        for uuid in [Self.whole, Self.sliced, Self.free, Self.migA] { #expect(allocations.allocation(of: uuid) == .free) }
        #expect(allocations.unmatchedDeviceIDs.isEmpty)
    }

    @Test(arguments: [("GPU-a::0", "GPU-a"), ("GPU-a", "GPU-a"), ("MIG-b::12", "MIG-b"), ("", "")])
    func replicaSuffixIsDropped(id: String, base: String) {
        #expect(GPUAllocations.withoutReplicaSuffix(id) == base)
    }
}
