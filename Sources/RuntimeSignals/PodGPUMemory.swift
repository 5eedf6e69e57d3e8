import Exposition

/// GPU memory per pod, read from node-level exporters that label each GPU with the pod holding it:
/// `inferscale agent` (`inferscale_gpu_up` / `inferscale_gpu_memory_used_ratio` and the `inferscale_gpu_mig_*`
/// pair, with `namespace`, `pod` labels; docs/gpu.md) and NVIDIA's dcgm-exporter (`DCGM_FI_DEV_FB_USED`,
/// `DCGM_FI_DEV_FB_FREE` and, where exported, `DCGM_FI_DEV_FB_RESERVED`, in MiB, with `pod`, `namespace`).
///
/// Pure: give it the parsed bodies of every exporter scraped this tick, then ask per pod or per target's
/// pods. A device whose reading is missing (GPU down, a figure absent) makes its pod's reading missing,
/// never zero; a pod no exporter names has no reading. One exporter failing only loses the pods of its node.
public struct PodGPUMemory: Sendable, Hashable {
    /// A pod, by namespace and name.
    public struct Pod: Sendable, Hashable, Comparable {
        /// The pod's namespace.
        public var namespace: String
        /// The pod's name.
        public var name: String

        /// Creates a pod key.
        public init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }

        /// By namespace, then name.
        public static func < (lhs: Pod, rhs: Pod) -> Bool { (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name) }
    }

    /// One pod's GPU memory.
    public struct Reading: Sendable, Hashable {
        /// The highest used share (0–1) among the pod's GPUs: what a memory guard must look at.
        public var max: Double
        /// The mean used share (0–1) over the pod's GPUs, for the report.
        public var mean: Double
        /// How many GPUs (or MIG devices) the pod holds.
        public var devices: Int

        /// Creates a reading; shares 0–1.
        public init(max: Double, mean: Double, devices: Int) {
            self.max = max
            self.mean = mean
            self.devices = devices
        }
    }

    /// The GPU memory of a target's pods.
    public struct TargetReading: Sendable, Hashable {
        /// The highest used share (0–1) over every GPU of the pods with a reading: the
        /// `gpu-memory-utilization` signal.
        public var max: Double
        /// The mean used share (0–1) over those GPUs.
        public var mean: Double
        /// Each pod with a reading, sorted by pod.
        public var pods: [Pod: Reading]
        /// The pods asked for that have no reading (no exporter named them, or a GPU's reading is missing).
        public var missing: [Pod]
    }

    /// Per pod, per device ID (GPU UUID, or MIG device): the used share, or nil when the reading is missing.
    public private(set) var devices: [Pod: [String: Double?]] = [:]

    /// Nothing read yet.
    public init() {}

    /// Adds the pods named by one `inferscale agent`'s /metrics. Series without a `pod` label (free GPUs,
    /// `allocation="unknown"`, an agent with `--no-pod-resources`) name no pod and are skipped.
    public mutating func addAgent(_ exposition: ParsedExposition) {
        for (up, ratio, id) in [("inferscale_gpu_up", "inferscale_gpu_memory_used_ratio", "uuid"),
                                ("inferscale_gpu_mig_up", "inferscale_gpu_mig_memory_used_ratio", "mig_uuid")] {
            var ratios: [Labels: Double] = [:]
            for sample in exposition[family: ratio]?.samples ?? [] where sample.value.isFinite {
                ratios[sample.labels] = sample.value
            }
            for sample in exposition[family: up]?.samples ?? [] {
                guard let pod = Self.pod(sample.labels), let device = sample.labels[id], !device.isEmpty else { continue }
                let share = sample.value == 1 ? ratios[sample.labels] : nil
                record(pod, device: device, share: share.flatMap(Self.valid))
            }
        }
    }

    /// Adds the pods named by one dcgm-exporter's /metrics: used share `(used + reserved) / (used + free +
    /// reserved)`, the agent's `(total − free) / total`. A MIG device is keyed by `UUID` and `GPU_I_ID`.
    public mutating func addDCGM(_ exposition: ParsedExposition) {
        func byDevice(_ family: String) -> [DCGMKey: Double] {
            var values: [DCGMKey: Double] = [:]
            for sample in exposition[family: family]?.samples ?? [] where sample.value.isFinite {
                guard let key = DCGMKey(sample.labels) else { continue }
                values[key] = sample.value
            }
            return values
        }
        let used = byDevice("DCGM_FI_DEV_FB_USED")
        let free = byDevice("DCGM_FI_DEV_FB_FREE")
        let reserved = byDevice("DCGM_FI_DEV_FB_RESERVED")
        for key in Set(used.keys).union(free.keys) {
            var share: Double?
            if let used = used[key], let free = free[key], used >= 0, free >= 0 {
                let held = used + (reserved[key] ?? 0)
                if held + free > 0 { share = held / (held + free) }
            }
            record(key.pod, device: key.device, share: share)
        }
    }

    /// One pod's GPU memory; nil when no exporter named the pod or any of its GPUs has no reading.
    public func reading(of pod: Pod) -> Reading? {
        guard let shares = devices[pod], !shares.isEmpty else { return nil }
        var values: [Double] = []
        for share in shares.values {
            guard let share else { return nil }
            values.append(share)
        }
        return Reading(max: values.max() ?? 0, mean: values.reduce(0, +) / Double(values.count), devices: values.count)
    }

    /// The GPU memory of a target's ready pods: each pod's own GPUs only. nil when none of them has a
    /// reading (the signal is then missing, never zero).
    public func reading(of pods: [Pod]) -> TargetReading? {
        var readings: [Pod: Reading] = [:]
        var missing: [Pod] = []
        var maxShare = -Double.infinity
        var sum = 0.0
        var count = 0
        for pod in Set(pods).sorted() {
            guard let reading = reading(of: pod), let shares = devices[pod] else {
                missing.append(pod)
                continue
            }
            readings[pod] = reading
            maxShare = Swift.max(maxShare, reading.max)
            for share in shares.values { sum += share ?? 0 }
            count += reading.devices
        }
        guard count > 0 else { return nil }
        return TargetReading(max: maxShare, mean: sum / Double(count), pods: readings, missing: missing)
    }

    /// A figure outside 0–1 (or not a number) is not a share; it counts as missing.
    private static func valid(_ share: Double) -> Double? {
        share.isFinite && share >= 0 && share <= 1 ? share : nil
    }

    private static func pod(_ labels: Labels) -> Pod? {
        guard let name = labels["pod"], !name.isEmpty else { return nil }
        return Pod(namespace: labels["namespace"] ?? "", name: name)
    }

    /// A missing reading wins over a present one for the same device: the pod's figure must not hide it.
    private mutating func record(_ pod: Pod, device: String, share: Double?) {
        if let existing = devices[pod]?[device], existing == nil { return }
        devices[pod, default: [:]][device] = share
    }

    /// A dcgm-exporter series' device and pod.
    private struct DCGMKey: Hashable {
        var pod: Pod
        var device: String

        init?(_ labels: Labels) {
            guard let pod = PodGPUMemory.pod(labels), let uuid = labels["UUID"] ?? labels["uuid"], !uuid.isEmpty else { return nil }
            self.pod = pod
            // MIG devices share their parent's UUID; the GPU instance tells them apart.
            if let instance = labels["GPU_I_ID"], !instance.isEmpty { device = "\(uuid)/\(instance)" } else { device = uuid }
        }
    }
}
