/// Which containers hold which GPU and MIG device on this node: the kubelet's device IDs joined with the
/// UUIDs NVML reports.
///
/// Device IDs are matched as the NVIDIA device plugin writes them: a GPU UUID (`GPU-…`); a MIG device UUID
/// (`MIG-…`, drivers from R470 on); the older `MIG-GPU-<parent uuid>/<gpu instance>/<compute instance>`;
/// each of them with a `::<n>` suffix when the GPU is time-sliced into replicas (the suffix is dropped:
/// every replica holder shares the whole device). Only resources whose name starts with one of
/// ``resourcePrefixes`` are read; their IDs that match no device NVML reports are kept in
/// ``unmatchedDeviceIDs`` (e.g. a GPU NVML could not read, or IDs in another scheme).
public struct GPUAllocations: Sendable, Hashable {
    /// The resource names taken as GPUs: by default anything of `nvidia.com/` (`nvidia.com/gpu`,
    /// `nvidia.com/mig-1g.10gb`, renamed shared resources such as `nvidia.com/gpu.shared`).
    public static let defaultResourcePrefixes = ["nvidia.com/"]

    /// How a device is held, the `allocation` label of the agent's GPU series.
    public enum Allocation: String, Sendable, Hashable {
        /// No container holds it.
        case free
        /// One container holds it.
        case exclusive
        /// Several containers hold it (time-slicing or MPS replicas); one series per holder.
        case shared
        /// A GPU in MIG mode that no container holds whole: its MIG devices are held instead.
        case mig
        /// The kubelet could not be asked; who holds it is not known.
        case unknown
    }

    /// Holders per device UUID (GPU or MIG), sorted, each once.
    public private(set) var holders: [String: [GPUHolder]]
    /// Device IDs under GPU resources that match no device NVML reported, sorted, each once.
    public private(set) var unmatchedDeviceIDs: [String]

    /// Joins `listing` with the devices of `snapshot`.
    /// - Parameter resourcePrefixes: resource-name prefixes taken as GPUs (``defaultResourcePrefixes``).
    public init(listing: PodResourcesListing, snapshot: GPUSnapshot,
                resourcePrefixes: [String] = GPUAllocations.defaultResourcePrefixes) {
        var known = Set<String>()
        var legacyMIG: [String: String] = [:]  // "MIG-GPU-<parent>/<gi>/<ci>" → the MIG device's UUID
        for gpu in snapshot.devices {
            if !gpu.uuid.isEmpty { known.insert(gpu.uuid) }
            for mig in gpu.migDevices ?? [] where !mig.uuid.isEmpty {
                known.insert(mig.uuid)
                if let gi = mig.gpuInstance, let ci = mig.computeInstance, !gpu.uuid.isEmpty {
                    legacyMIG["MIG-\(gpu.uuid)/\(gi)/\(ci)"] = mig.uuid
                }
            }
        }
        var holders: [String: Set<GPUHolder>] = [:]
        var unmatched = Set<String>()
        for allocation in listing.allocations
        where resourcePrefixes.contains(where: { allocation.resource.hasPrefix($0) }) {
            for id in allocation.deviceIDs {
                let base = Self.withoutReplicaSuffix(id)
                let uuid = legacyMIG[base] ?? base
                if known.contains(uuid) {
                    holders[uuid, default: []].insert(allocation.holder)
                } else {
                    unmatched.insert(id)
                }
            }
        }
        self.holders = holders.mapValues { $0.sorted() }
        self.unmatchedDeviceIDs = unmatched.sorted()
    }

    /// The containers holding the GPU or MIG device with this UUID, sorted; empty when none.
    public func holders(of uuid: String) -> [GPUHolder] {
        holders[uuid] ?? []
    }

    /// How the device with this UUID is held; `inMIGMode` marks a GPU whose slices are handed out.
    public func allocation(of uuid: String, inMIGMode: Bool = false) -> Allocation {
        switch holders(of: uuid).count {
        case 0: return inMIGMode ? .mig : .free
        case 1: return .exclusive
        default: return .shared
        }
    }

    /// `GPU-…::3` → `GPU-…`: the NVIDIA device plugin's time-slicing replicas share one device.
    static func withoutReplicaSuffix(_ id: String) -> String {
        guard let range = id.range(of: "::") else { return id }
        return String(id[..<range.lowerBound])
    }
}
