import GPU
import Testing

/// The dlopen path against the stand-in library: exact figures, struct layouts, fallbacks and errors.
@Suite struct NVMLLibraryTests {
    @Test func readsExactFiguresThroughDlopen() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs)
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        defer { try? nvml.shutdown() }

        #expect(try nvml.deviceCount() == 2)
        let gpu0 = try nvml.device(at: 0)
        #expect(try nvml.uuid(of: gpu0) == "GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11")
        #expect(try nvml.name(of: gpu0) == "NVIDIA H100 80GB HBM3")
        // nvmlMemory_v2_t: the stand-in refuses a wrong `version`, so equal figures prove the layout.
        #expect(try nvml.memory(of: gpu0) == GPUMemory(totalBytes: 85_520_809_984, freeBytes: 6_860_832_768,
                                                       usedBytes: 78_114_717_696, reservedBytes: 545_259_520))
        #expect(try nvml.utilization(of: gpu0) == GPUUtilization(gpuPercent: 83, memoryPercent: 41))
        #expect(try nvml.processes(of: gpu0) == [GPUProcessMemory(pid: 4242, usedBytes: 77_309_411_328),
                                                 GPUProcessMemory(pid: 5151, usedBytes: nil)])
        #expect(try nvml.processes(of: nvml.device(at: 1)) == [])
        #expect(try standIn.counter("initialised") == 1)
    }

    @Test func initAndShutdownArePaired() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs)
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        try nvml.shutdown()
        #expect(try standIn.counter("init") == 1)
        #expect(try standIn.counter("shutdown") == 1)
        #expect(try standIn.counter("initialised") == 0)
        // After shutdown NVML answers UNINITIALIZED, which arrives as a named error.
        #expect(throws: NVMLError(code: .call(.uninitialized), function: "nvmlDeviceGetCount_v2",
                                  library: standIn.path, detail: "Uninitialized")) {
            try nvml.deviceCount()
        }
    }

    @Test func missingLibraryIsOneActionableLine() async throws {
        let path = "/nonexistent/inferscale-test/libnvidia-ml.so.1"
        let error = try #require(throws: NVMLError.self) { try NVMLLibrary(path: path) }
        #expect(error.code == .libraryNotFound)
        #expect(error.library == path)
        #expect(error.description.hasPrefix("NVML is not available: cannot load \(path) ("))
        #expect(error.description.contains("--nvml-library PATH"))
        #expect(!error.description.contains("\n"))
    }

    @Test(arguments: NVMLLibrary.requiredSymbols)
    func missingRequiredSymbolIsRefused(symbol: String) async throws {
        let standIn = try await StandIn(Scripts.twoGPUs, omitting: [symbol])
        let error = try #require(throws: NVMLError.self) { try NVMLLibrary(path: standIn.path) }
        #expect(error.code == .symbolNotFound)
        #expect(error.function == symbol)
        #expect(error.description == "NVML at \(standIn.path) does not export \(symbol); the driver is too old or this is not libnvidia-ml — upgrade the driver or point --nvml-library at the right file")
    }

    @Test func olderLibraryWithoutOptionalSymbolsFallsBack() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs, omitting: [
            "nvmlDeviceGetMemoryInfo_v2", "nvmlDeviceGetUtilizationRates",
            "nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetName", "nvmlDeviceGetUUID", "nvmlErrorString",
        ])
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        defer { try? nvml.shutdown() }
        let gpu0 = try nvml.device(at: 0)
        // v1: used = total - free, no reservation figure.
        #expect(try nvml.memory(of: gpu0) == GPUMemory(totalBytes: 85_520_809_984, freeBytes: 6_860_832_768,
                                                       usedBytes: 78_659_977_216, reservedBytes: nil))
        #expect(try nvml.utilization(of: gpu0) == nil)
        #expect(try nvml.processes(of: gpu0) == nil)
        #expect(try nvml.name(of: gpu0) == nil)
        #expect(try nvml.uuid(of: gpu0) == nil)
    }

    @Test(arguments: [NVMLReturn.argumentVersionMismatch, .functionNotFound, .notSupported])
    func memoryV2RefusedFallsBackToV1(code: NVMLReturn) async throws {
        let standIn = try await StandIn(Scripts.twoGPUs + "gpu 0 rc nvmlDeviceGetMemoryInfo_v2 \(code.rawValue)\n")
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        defer { try? nvml.shutdown() }
        let memory = try nvml.memory(of: nvml.device(at: 0))
        #expect(memory.reservedBytes == nil)
        #expect(memory.usedBytes == 85_520_809_984 - 6_860_832_768)
        #expect(memory.usedRatio == Double(85_520_809_984 - 6_860_832_768) / 85_520_809_984)
    }

    @Test func errorCodesArriveNamedWithNVMLTextAndAHint() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs + "gpu 1 rc nvmlDeviceGetMemoryInfo_v2 15\n")
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        defer { try? nvml.shutdown() }
        let error = try #require(throws: NVMLError.self) { try nvml.memory(of: nvml.device(at: 1)) }
        #expect(error.code == .call(.gpuIsLost))
        #expect(error.device == 1)
        #expect(error.description == "nvmlDeviceGetMemoryInfo_v2 for GPU 1 failed: NVML_ERROR_GPU_IS_LOST (15) \"GPU is lost\"; the GPU fell off the bus; check dmesg for Xid errors, the node needs attention (drain and reset)")
    }

    @Test func initFailureIsAnError() async throws {
        let standIn = try await StandIn("rc nvmlInit_v2 9\n")
        let nvml = try NVMLLibrary(path: standIn.path)
        let error = try #require(throws: NVMLError.self) { try nvml.initialize() }
        #expect(error.code == .call(.driverNotLoaded))
        #expect(error.code.label == "NVML_ERROR_DRIVER_NOT_LOADED")
        #expect(error.description.contains("the NVIDIA kernel driver is not loaded"))
    }

    @Test func processListUsesTwoCallPatternBeyondHeadroom() async throws {
        var script = "count 1\ngpu 0 memory 1000 500 500 0\n"
        for pid in 1...20 { script += "gpu 0 process \(pid) \(pid * 1000)\n" }
        let standIn = try await StandIn(script)
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        defer { try? nvml.shutdown() }
        let processes = try #require(try nvml.processes(of: nvml.device(at: 0)))
        #expect(processes.map(\.pid) == Array(1...20))
        #expect(processes.map(\.usedBytes) == (1...20).map { UInt64($0 * 1000) })
    }

    @Test func unknownReturnCodesKeepTheirNumber() {
        #expect(NVMLReturn(rawValue: 77).name == "NVML_ERROR_77")
        #expect(NVMLReturn.gpuIsLost.description == "NVML_ERROR_GPU_IS_LOST (15)")
    }
}
