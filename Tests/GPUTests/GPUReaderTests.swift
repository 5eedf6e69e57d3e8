import GPU
import Testing

/// One pass over all GPUs: a lost GPU is reported beside the others, optional figures degrade quietly.
@Suite struct GPUReaderTests {
    private func read(_ script: String, limits: GPUReader.Limits = GPUReader.Limits(), omitting: [String] = []) async throws -> (GPUSnapshot, String) {
        let standIn = try await StandIn(script, omitting: omitting)
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        defer { try? nvml.shutdown() }
        return (GPUReader(limits: limits).read(using: nvml), standIn.path)
    }

    @Test func lostGPUDoesNotHideTheOthers() async throws {
        let (snapshot, path) = try await read(Scripts.twoGPUs + """
            gpu 1 rc nvmlDeviceGetMemoryInfo_v2 15
            gpu 1 rc nvmlDeviceGetUtilizationRates 15
            gpu 1 rc nvmlDeviceGetComputeRunningProcesses_v3 15

            """)
        #expect(snapshot.isNVMLUp)
        #expect(snapshot.deviceCount == 2)
        #expect(snapshot.devices.map(\.isUp) == [true, false])
        #expect(snapshot.devices[0].errors == [])
        let lost = snapshot.devices[1]
        #expect(lost.uuid == "GPU-a9f07c44-12e3-45bc-8a0d-7c6e5d4b3a29")
        #expect(lost.memory == nil && lost.utilization == nil && lost.processes == nil)
        #expect(lost.errors.map(\.function) == ["nvmlDeviceGetMemoryInfo_v2", "nvmlDeviceGetUtilizationRates",
                                                "nvmlDeviceGetComputeRunningProcesses_v3"])
        #expect(lost.errors.allSatisfy { $0.code == .call(.gpuIsLost) && $0.device == 1 && $0.library == path })
    }

    @Test func notSupportedOptionalFiguresAreAbsentNotErrors() async throws {
        let (snapshot, _) = try await read(Scripts.twoGPUs + """
            gpu 0 rc nvmlDeviceGetUtilizationRates 3
            gpu 0 rc nvmlDeviceGetComputeRunningProcesses_v3 3

            """)
        #expect(snapshot.devices[0].utilization == nil)
        #expect(snapshot.devices[0].processes == nil)
        #expect(snapshot.devices[0].errors == [])
        #expect(snapshot.devices[0].isUp)
    }

    @Test func handleFailureLeavesAnEmptyReadingWithItsError() async throws {
        let (snapshot, _) = try await read(Scripts.twoGPUs + "gpu 0 rc nvmlDeviceGetHandleByIndex_v2 28\n")
        #expect(snapshot.devices[0] == GPUDeviceReading(index: 0, errors: [snapshot.devices[0].errors[0]]))
        #expect(snapshot.devices[0].errors.map(\.code) == [.call(NVMLReturn(rawValue: 28))])
        #expect(snapshot.devices[1].isUp)
    }

    @Test func deviceCountFailureMakesNVMLUnavailable() async throws {
        let (snapshot, _) = try await read(Scripts.twoGPUs + "rc nvmlDeviceGetCount_v2 18\n")
        #expect(!snapshot.isNVMLUp)
        #expect(snapshot.unavailable?.code == .call(.libRMVersionMismatch))
        #expect(snapshot.devices.isEmpty)
    }

    @Test func capsKeepTheLargestProcessesAndCountTheRest() async throws {
        var limits = GPUReader.Limits()
        limits.processesPerDevice = 2
        limits.devices = 1
        let (snapshot, _) = try await read(Scripts.twoGPUs + "gpu 0 process 7 1000\ngpu 0 process 3 77309411328\n", limits: limits)
        #expect(snapshot.deviceCount == 2)
        #expect(snapshot.devices.count == 1)
        #expect(snapshot.devices[0].processes == [GPUProcessMemory(pid: 3, usedBytes: 77_309_411_328),
                                                  GPUProcessMemory(pid: 4242, usedBytes: 77_309_411_328)])
        #expect(snapshot.devices[0].processesOmitted == 2)
    }

    @Test func processesCanBeSwitchedOff() async throws {
        var limits = GPUReader.Limits()
        limits.readProcesses = false
        let (snapshot, _) = try await read(Scripts.twoGPUs, limits: limits)
        #expect(snapshot.devices.allSatisfy { $0.processes == nil })
    }

    @Test func migDevicesAreReadWithTheirOwnMemory() async throws {
        let (snapshot, _) = try await read(Scripts.twoGPUs + """
            gpu 1 mig 0 MIG-11111111-2222-3333-4444-555555555555 1 0 10200547328 2147483648 8053063680
            gpu 1 mig 4 MIG-66666666-7777-8888-9999-000000000000 5 0 20401094656 20401094656 0

            """)
        #expect(snapshot.devices[0].migDevices == nil)  // MIG off
        let slices = try #require(snapshot.devices[1].migDevices)
        #expect(slices.map(\.index) == [0, 4])  // empty slots skipped
        #expect(slices.map(\.uuid) == ["MIG-11111111-2222-3333-4444-555555555555", "MIG-66666666-7777-8888-9999-000000000000"])
        #expect(slices.map(\.gpuInstance) == [1, 5])
        #expect(slices.map(\.computeInstance) == [0, 0])
        #expect(slices[0].memory == GPUMemory(totalBytes: 10200547328, freeBytes: 2147483648, usedBytes: 8053063680, reservedBytes: 0))
        #expect(slices[1].memory?.usedRatio == 0)
        #expect(slices.allSatisfy { $0.errors.isEmpty })
        #expect(snapshot.devices[1].errors.isEmpty)
    }

    @Test func libraryWithoutMIGCallsReadsNoSlices() async throws {
        let (snapshot, _) = try await read(Scripts.twoGPUs + "gpu 1 mig 0 MIG-x 1 0 10 5 5\n", omitting: ["nvmlDeviceGetMigMode"])
        #expect(snapshot.devices.allSatisfy { $0.migDevices == nil && $0.errors.isEmpty })
    }

    @Test func failingSliceIsReportedOnItsOwn() async throws {
        let (snapshot, _) = try await read(Scripts.twoGPUs + """
            gpu 1 mig 0 MIG-x 1 0 10 5 5
            gpu 1 rc nvmlDeviceGetMaxMigDeviceCount 15

            """)
        #expect(snapshot.devices[1].migDevices == nil)
        #expect(snapshot.devices[1].errors.map(\.function) == ["nvmlDeviceGetMaxMigDeviceCount"])
        #expect(snapshot.devices[1].isUp)  // the GPU's own memory still reads
    }
}
