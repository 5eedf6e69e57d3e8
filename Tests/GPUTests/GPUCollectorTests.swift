import GPU
import Logging
import Testing

/// The collector drives the session state machine against the stand-in: retries, caching, one log line.
@Suite struct GPUCollectorTests {
    private func collector(_ path: String, retry: Duration = .seconds(3600), cache: Duration = .zero)
        -> (GPUCollector, RecordingLogHandler.Lines) {
        var configuration = GPUCollector.Configuration()
        configuration.libraryPath = path
        configuration.retryInterval = retry
        configuration.minimumReadInterval = cache
        let (logger, lines) = RecordingLogHandler.logger()
        return (GPUCollector(configuration: configuration, logger: logger), lines)
    }

    @Test func missingLibraryIsOneLogLineAndNoCrash() async throws {
        let path = "/nonexistent/inferscale-test/libnvidia-ml.so.1"
        let (collector, lines) = collector(path, retry: .zero)
        for _ in 0..<3 {
            let snapshot = await collector.snapshot()
            #expect(snapshot.unavailable?.code == .libraryNotFound)
            #expect(snapshot.devices.isEmpty)
        }
        await collector.shutdown()
        #expect(lines.at(.error).count == 1)
        #expect(lines.at(.error).first?.hasPrefix("NVML is not available: cannot load \(path)") == true)
    }

    @Test func failedInitIsRetriedOnlyAfterTheInterval() async throws {
        let standIn = try await StandIn("rc nvmlInit_v2 9\n")
        let (patient, _) = collector(standIn.path, retry: .seconds(3600))
        #expect(await patient.snapshot().unavailable?.code == .call(.driverNotLoaded))
        try standIn.write(Scripts.twoGPUs)
        #expect(await patient.snapshot().unavailable?.code == .call(.driverNotLoaded))  // not retried yet
        #expect(try standIn.counter("init") == 1)

        let (eager, lines) = collector(standIn.path, retry: .zero)
        try standIn.write("rc nvmlInit_v2 9\n")
        #expect(await eager.snapshot().isNVMLUp == false)
        try standIn.write(Scripts.twoGPUs)
        let recovered = await eager.snapshot()
        #expect(recovered.isNVMLUp)
        #expect(recovered.devices.count == 2)
        #expect(lines.at(.error).count == 1)
        #expect(lines.at(.info) == ["NVML is available"])
        await eager.shutdown()
        #expect(try standIn.counter("initialised") == 0)
    }

    @Test func youngSnapshotIsServedAgain() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs)
        let (collector, _) = collector(standIn.path, cache: .seconds(3600))
        let first = await collector.snapshot()
        try standIn.write("count 1\ngpu 0 memory 1 1 0 0\n")
        let second = await collector.snapshot()
        #expect(first == second)
        #expect(try standIn.counter("count") == 1)
        await collector.shutdown()
    }

    @Test func concurrentCallersGetConsistentSnapshots() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs)
        let (collector, _) = collector(standIn.path)
        let snapshots = await withTaskGroup(of: GPUSnapshot.self) { group in
            for _ in 0..<16 { group.addTask { await collector.snapshot() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(snapshots.allSatisfy { $0.devices.count == 2 && $0.devices.allSatisfy(\.isUp) })
        #expect(try standIn.counter("count") <= 16)
        await collector.shutdown()
        #expect(try standIn.counter("init") == 1)
        #expect(try standIn.counter("shutdown") == 1)
    }

    @Test func driverGoneMidRunReopensTheSession() async throws {
        let standIn = try await StandIn(Scripts.twoGPUs)
        let (collector, lines) = collector(standIn.path, retry: .zero)
        #expect(await collector.snapshot().isNVMLUp)
        try standIn.write(Scripts.twoGPUs + "rc nvmlDeviceGetCount_v2 18\n")
        #expect(await collector.snapshot().unavailable?.code == .call(.libRMVersionMismatch))
        #expect(try standIn.counter("shutdown") == 1)  // the broken session was closed
        try standIn.write(Scripts.twoGPUs)
        #expect(await collector.snapshot().isNVMLUp)
        #expect(try standIn.counter("init") == 2)
        #expect(lines.at(.error).count == 1)
        await collector.shutdown()
        #expect(try standIn.counter("initialised") == 0)
    }
}
