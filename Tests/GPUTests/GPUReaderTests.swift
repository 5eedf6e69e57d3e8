import GPU
import Testing

/// One pass over all GPUs: a lost GPU is reported beside the others, optional figures degrade quietly.
@Suite struct GPUReaderTests {
    private func read(_ script: String, limits: GPUReader.Limits = GPUReader.Limits(), omitting: [String] = []) throws -> (GPUSnapshot, String) {
        let standIn = try StandIn(script, omitting: omitting)
        let nvml = try NVMLLibrary(path: standIn.path)
        try nvml.initialize()
        defer { try? nvml.shutdown() }
        return (GPUReader(limits: limits).read(using: nvml), standIn.path)
    }

    @Test func lostGPUDoesNotHideTheOthers() throws {
        let (snapshot, path) = try read(Scripts.twoGPUs + """
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

    @Test func notSupportedOptionalFiguresAreAbsentNotErrors() throws {
        let (snapshot, _) = try read(Scripts.twoGPUs + """
            gpu 0 rc nvmlDeviceGetUtilizationRates 3
            gpu 0 rc nvmlDeviceGetComputeRunningProcesses_v3 3

            """)
        #expect(snapshot.devices[0].utilization == nil)
        #expect(snapshot.devices[0].processes == nil)
        #expect(snapshot.devices[0].errors == [])
        #expect(snapshot.devices[0].isUp)
    }

    @Test func handleFailureLeavesAnEmptyReadingWithItsError() throws {
        let (snapshot, _) = try read(Scripts.twoGPUs + "gpu 0 rc nvmlDeviceGetHandleByIndex_v2 28\n")
        #expect(snapshot.devices[0] == GPUDeviceReading(index: 0, errors: [snapshot.devices[0].errors[0]]))
        #expect(snapshot.devices[0].errors.map(\.code) == [.call(NVMLReturn(rawValue: 28))])
        #expect(snapshot.devices[1].isUp)
    }

    @Test func deviceCountFailureMakesNVMLUnavailable() throws {
        let (snapshot, _) = try read(Scripts.twoGPUs + "rc nvmlDeviceGetCount_v2 18\n")
        #expect(!snapshot.isNVMLUp)
        #expect(snapshot.unavailable?.code == .call(.libRMVersionMismatch))
        #expect(snapshot.devices.isEmpty)
    }

    @Test func capsKeepTheLargestProcessesAndCountTheRest() throws {
        var limits = GPUReader.Limits()
        limits.processesPerDevice = 2
        limits.devices = 1
        let (snapshot, _) = try read(Scripts.twoGPUs + "gpu 0 process 7 1000\ngpu 0 process 3 77309411328\n", limits: limits)
        #expect(snapshot.deviceCount == 2)
        #expect(snapshot.devices.count == 1)
        #expect(snapshot.devices[0].processes == [GPUProcessMemory(pid: 3, usedBytes: 77_309_411_328),
                                                  GPUProcessMemory(pid: 4242, usedBytes: 77_309_411_328)])
        #expect(snapshot.devices[0].processesOmitted == 2)
    }

    @Test func processesCanBeSwitchedOff() throws {
        var limits = GPUReader.Limits()
        limits.readProcesses = false
        let (snapshot, _) = try read(Scripts.twoGPUs, limits: limits)
        #expect(snapshot.devices.allSatisfy { $0.processes == nil })
    }
}
