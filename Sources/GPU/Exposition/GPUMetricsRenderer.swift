/// Renders a ``GPUSnapshot`` in the Prometheus text format 0.0.4, the body of the agent's `/metrics`.
///
/// Every GPU series carries `gpu` (NVML index), `uuid` and `model`; with a pod mapping (not
/// ``GPUPodMapping/disabled``) also `allocation` and, for a held device, `namespace`, `pod` and `container`
/// (one series per holder of a shared GPU). MIG devices have their own `inferscale_gpu_mig_*` series under
/// their parent's labels plus `mig_uuid`. Bytes are bytes (not dcgm's MiB) and busy figures are ratios 0–1
/// (not percent), as Prometheus naming asks. A figure that could not be read is absent, never zero; when
/// NVML is unusable only `inferscale_gpu_nvml_up 0`, the error, the read duration and the pod-resources
/// condition are written. The families are listed in docs/gpu.md.
public enum GPUMetricsRenderer {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text for `snapshot`, ending in a newline.
    public static func render(_ snapshot: GPUSnapshot, mapping: GPUPodMapping = .disabled) -> String {
        var out = Output()
        out.family("inferscale_gpu_nvml_up", "Whether NVML was loaded and initialised and the GPUs counted (1) or not (0).")
        out.sample("inferscale_gpu_nvml_up", "", snapshot.isNVMLUp ? 1 : 0)
        if let error = snapshot.unavailable {
            out.family("inferscale_gpu_nvml_error_info", "Why NVML is unavailable: the error label is library_not_found, symbol_not_found or an NVML_ERROR_* name; always 1.")
            out.sample("inferscale_gpu_nvml_error_info", labels(["error": error.code.label, "function": error.function]), 1)
        }
        out.family("inferscale_gpu_read_duration_seconds", "Time the last NVML pass over all GPUs took, in seconds.")
        out.sample("inferscale_gpu_read_duration_seconds", "", snapshot.readSeconds)
        var allocations: GPUAllocations?
        switch mapping {
        case .disabled:
            break
        case .unavailable(let error):
            out.family("inferscale_gpu_pod_resources_up", "Whether the kubelet's pod-resources API answered the last call (1) or not (0).")
            out.sample("inferscale_gpu_pod_resources_up", "", 0)
            out.family("inferscale_gpu_pod_resources_error_info", "Why GPUs cannot be mapped to pods: socket_not_found, not_a_socket, permission_denied, unavailable, timeout or rpc_<status>; always 1.")
            out.sample("inferscale_gpu_pod_resources_error_info", labels(["error": error.code.label, "socket": error.socket]), 1)
        case .available(let listing):
            out.family("inferscale_gpu_pod_resources_up", "Whether the kubelet's pod-resources API answered the last call (1) or not (0).")
            out.sample("inferscale_gpu_pod_resources_up", "", 1)
            if snapshot.isNVMLUp {
                let joined = GPUAllocations(listing: listing, snapshot: snapshot)
                out.family("inferscale_gpu_pod_resources_unmatched_devices", "Device IDs the kubelet lists under nvidia.com/ resources that match no GPU or MIG device NVML reports.")
                out.sample("inferscale_gpu_pod_resources_unmatched_devices", "", Double(joined.unmatchedDeviceIDs.count))
                allocations = joined
            }
        }
        guard snapshot.isNVMLUp, let count = snapshot.deviceCount else { return out.text }
        /// The label sets of one device: one per holder, or one with its allocation, or the bare labels.
        func labelSets(_ base: String, uuid: String, inMIGMode: Bool) -> [String] {
            switch mapping {
            case .disabled: return [base]
            case .unavailable: return [base + "," + labels(["allocation": GPUAllocations.Allocation.unknown.rawValue])]
            case .available:
                guard let allocations else { return [base] }
                let allocation = allocations.allocation(of: uuid, inMIGMode: inMIGMode).rawValue
                let holders = allocations.holders(of: uuid)
                if holders.isEmpty { return [base + "," + labels(["allocation": allocation])] }
                return holders.map { holder in
                    base + "," + labels(["allocation": allocation, "namespace": holder.namespace,
                                         "pod": holder.pod, "container": holder.container])
                }
            }
        }

        out.family("inferscale_gpu_devices", "Number of GPUs NVML reports on this node.")
        out.sample("inferscale_gpu_devices", "", Double(count))

        let devices = snapshot.devices.map { reading in
            let base = deviceLabels(reading)
            return (reading: reading, labels: base,
                    series: labelSets(base, uuid: reading.uuid, inMIGMode: reading.migDevices != nil))
        }
        func each(_ name: String, _ help: String, _ value: (GPUDeviceReading) -> Double?) {
            let samples = devices.flatMap { device in
                value(device.reading).map { value in device.series.map { ($0, value) } } ?? []
            }
            guard !samples.isEmpty else { return }
            out.family(name, help)
            for (labels, value) in samples { out.sample(name, labels, value) }
        }
        each("inferscale_gpu_up", "Whether this GPU's memory could be read (1) or not (0).") { $0.isUp ? 1 : 0 }
        each("inferscale_gpu_memory_total_bytes", "Installed frame-buffer memory, in bytes.") { $0.memory.map { Double($0.totalBytes) } }
        each("inferscale_gpu_memory_free_bytes", "Frame-buffer memory not allocated, in bytes.") { $0.memory.map { Double($0.freeBytes) } }
        each("inferscale_gpu_memory_used_bytes", "Frame-buffer memory NVML reports as used, in bytes (v2: without the driver reservation).") { $0.memory.map { Double($0.usedBytes) } }
        each("inferscale_gpu_memory_reserved_bytes", "Frame-buffer memory reserved by the driver and firmware, in bytes (NVML v2 only).") { $0.memory?.reservedBytes.map { Double($0) } }
        each("inferscale_gpu_memory_used_ratio", "Share of frame-buffer memory not free, (total - free) / total, 0 to 1.") { $0.memory?.usedRatio }
        each("inferscale_gpu_utilization_ratio", "Share of the last sample period during which a kernel was executing, 0 to 1.") { $0.utilization.map { Double($0.gpuPercent) / 100 } }
        each("inferscale_gpu_memory_controller_utilization_ratio", "Share of the last sample period during which device memory was read or written, 0 to 1.") { $0.utilization.map { Double($0.memoryPercent) / 100 } }

        let processSamples = devices.flatMap { device in
            (device.reading.processes ?? []).compactMap { process in
                process.usedBytes.map { (device.labels + "," + labels(["pid": String(process.pid)]), Double($0)) }
            }
        }
        if !processSamples.isEmpty {
            out.family("inferscale_gpu_process_memory_used_bytes", "GPU memory held by one compute process (host PID), in bytes.")
            for (labels, value) in processSamples { out.sample("inferscale_gpu_process_memory_used_bytes", labels, value) }
        }
        each("inferscale_gpu_processes_omitted", "Compute processes left out of inferscale_gpu_process_memory_used_bytes by the per-GPU cap.") { $0.processes == nil ? nil : Double($0.processesOmitted) }

        let migs = devices.flatMap { device in
            (device.reading.migDevices ?? []).map { mig in
                let base = device.labels + "," + labels(["mig_uuid": mig.uuid,
                                                         "gpu_instance": mig.gpuInstance.map(String.init) ?? "",
                                                         "compute_instance": mig.computeInstance.map(String.init) ?? ""])
                return (reading: mig, labels: base, series: labelSets(base, uuid: mig.uuid, inMIGMode: false))
            }
        }
        func eachMIG(_ name: String, _ help: String, _ value: (MIGDeviceReading) -> Double?) {
            let samples = migs.flatMap { mig in value(mig.reading).map { value in mig.series.map { ($0, value) } } ?? [] }
            guard !samples.isEmpty else { return }
            out.family(name, help)
            for (labels, value) in samples { out.sample(name, labels, value) }
        }
        eachMIG("inferscale_gpu_mig_up", "Whether this MIG device's memory could be read (1) or not (0).") { $0.isUp ? 1 : 0 }
        eachMIG("inferscale_gpu_mig_memory_total_bytes", "Frame-buffer memory of this MIG device's slice, in bytes.") { $0.memory.map { Double($0.totalBytes) } }
        eachMIG("inferscale_gpu_mig_memory_free_bytes", "Memory of this MIG device's slice not allocated, in bytes.") { $0.memory.map { Double($0.freeBytes) } }
        eachMIG("inferscale_gpu_mig_memory_used_bytes", "Memory of this MIG device's slice NVML reports as used, in bytes.") { $0.memory.map { Double($0.usedBytes) } }
        eachMIG("inferscale_gpu_mig_memory_used_ratio", "Share of this MIG device's slice not free, (total - free) / total, 0 to 1.") { $0.memory?.usedRatio }

        func errorLabels(_ base: String, _ error: NVMLError) -> String {
            base + "," + labels(["function": error.function, "error": error.code.label])
        }
        var errors: [String] = []
        for device in devices { errors += device.reading.errors.map { errorLabels(device.labels, $0) } }
        for mig in migs { errors += mig.reading.errors.map { errorLabels(mig.labels, $0) } }
        if !errors.isEmpty {
            out.family("inferscale_gpu_device_error_info", "An NVML call that failed for this GPU in the last read; always 1.")
            for labels in errors { out.sample("inferscale_gpu_device_error_info", labels, 1) }
        }
        return out.text
    }

    private static func deviceLabels(_ reading: GPUDeviceReading) -> String {
        labels(["gpu": String(reading.index), "uuid": reading.uuid, "model": reading.model])
    }

    /// `k="v",…` in the order given by `keys`, with values escaped.
    private static func labels(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.map { "\($0.key)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
    }

    /// Escapes `\`, `"` and newline, as the text format requires inside label values.
    static func escapeLabelValue(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Formats a sample value: integers without a fraction, others as Swift's shortest round-trip form.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private struct Output {
        var text = ""

        mutating func family(_ name: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        }

        mutating func sample(_ name: String, _ labels: String, _ value: Double) {
            text += labels.isEmpty ? name : "\(name){\(labels)}"
            text += " \(GPUMetricsRenderer.format(value))\n"
        }
    }
}
