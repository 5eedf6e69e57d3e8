@testable import GPU
import Testing

/// The exposition text, golden-style, for hand-built snapshots.
@Suite struct GPUMetricsRendererTests {
    @Test func unavailableNVMLWritesOnlyUpErrorAndDuration() {
        let error = NVMLError(code: .libraryNotFound, function: "", library: "libnvidia-ml.so.1")
        #expect(GPUMetricsRenderer.render(GPUSnapshot(unavailable: error, readSeconds: 0.25)) == """
            # HELP inferscale_gpu_nvml_up Whether NVML was loaded and initialised and the GPUs counted (1) or not (0).
            # TYPE inferscale_gpu_nvml_up gauge
            inferscale_gpu_nvml_up 0
            # HELP inferscale_gpu_nvml_error_info Why NVML is unavailable: the error label is library_not_found, symbol_not_found or an NVML_ERROR_* name; always 1.
            # TYPE inferscale_gpu_nvml_error_info gauge
            inferscale_gpu_nvml_error_info{error="library_not_found",function=""} 1
            # HELP inferscale_gpu_read_duration_seconds Time the last NVML pass over all GPUs took, in seconds.
            # TYPE inferscale_gpu_read_duration_seconds gauge
            inferscale_gpu_read_duration_seconds 0.25

            """)
    }

    @Test func labelValuesAreEscapedAndMissingFiguresAbsent() {
        let reading = GPUDeviceReading(index: 3, uuid: "GPU-x", model: "A \"quoted\\\" name\nnext",
                                       memory: GPUMemory(totalBytes: 0, freeBytes: 0, usedBytes: 0, reservedBytes: nil))
        let text = GPUMetricsRenderer.render(GPUSnapshot(deviceCount: 4, devices: [reading]))
        #expect(text.contains(#"inferscale_gpu_up{gpu="3",uuid="GPU-x",model="A \"quoted\\\" name\nnext"} 1"#))
        #expect(text.contains("inferscale_gpu_devices 4\n"))
        #expect(!text.contains("inferscale_gpu_memory_used_ratio"))  // total 0: no ratio rather than NaN
        #expect(!text.contains("inferscale_gpu_memory_reserved_bytes"))
        #expect(!text.contains("inferscale_gpu_utilization_ratio"))
        #expect(!text.contains("inferscale_gpu_process"))
        #expect(!text.contains("inferscale_gpu_nvml_error_info"))
    }

    @Test(arguments: [(0.0, "0"), (85_520_809_984, "85520809984"), (0.83, "0.83"), (Double.nan, "NaN"), (-Double.infinity, "-Inf")])
    func numbers(value: Double, text: String) {
        #expect(GPUMetricsRenderer.format(value) == text)
    }

    @Test func podResourcesConditionIsWrittenEvenWithoutNVML() {
        let nvml = NVMLError(code: .libraryNotFound, function: "", library: "libnvidia-ml.so.1")
        let socket = PodResourcesError(code: .permissionDenied, socket: "/var/lib/kubelet/pod-resources/kubelet.sock")
        let text = GPUMetricsRenderer.render(GPUSnapshot(unavailable: nvml), mapping: .unavailable(socket))
        #expect(text.contains("\ninferscale_gpu_pod_resources_up 0\n"))
        #expect(text.contains(#"inferscale_gpu_pod_resources_error_info{error="permission_denied",socket="/var/lib/kubelet/pod-resources/kubelet.sock"} 1"#))
        #expect(!text.contains("inferscale_gpu_devices"))
    }

    @Test func disabledMappingAddsNoLabels() {
        let reading = GPUDeviceReading(index: 0, uuid: "GPU-x", model: "L4",
                                       memory: GPUMemory(totalBytes: 100, freeBytes: 25, usedBytes: 75, reservedBytes: nil))
        let snapshot = GPUSnapshot(deviceCount: 1, devices: [reading])
        #expect(GPUMetricsRenderer.render(snapshot) == GPUMetricsRenderer.render(snapshot, mapping: .disabled))
        #expect(GPUMetricsRenderer.render(snapshot).contains(#"inferscale_gpu_memory_used_ratio{gpu="0",uuid="GPU-x",model="L4"} 0.75"#))
        #expect(!GPUMetricsRenderer.render(snapshot).contains("pod_resources"))
        let held = PodResourcesListing(allocations: [
            .init(holder: GPUHolder(namespace: "ns", pod: "p", container: "c"), resource: "nvidia.com/gpu", deviceIDs: ["GPU-x"]),
        ])
        #expect(GPUMetricsRenderer.render(snapshot, mapping: .available(held)).contains(
            #"inferscale_gpu_memory_used_ratio{gpu="0",uuid="GPU-x",model="L4",allocation="exclusive",namespace="ns",pod="p",container="c"} 0.75"#))
    }
}
