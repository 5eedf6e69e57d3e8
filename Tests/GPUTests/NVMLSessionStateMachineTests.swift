import GPU
import Testing

/// The session's states, pure: events in, actions out, time as a parameter.
@Suite struct NVMLSessionStateMachineTests {
    let t0 = ContinuousClock.now
    let missing = NVMLError(code: .libraryNotFound, function: "", library: "libnvidia-ml.so.1")
    let noDriver = NVMLError(code: .call(.driverNotLoaded), function: "nvmlInit_v2", library: "libnvidia-ml.so.1")

    @Test func opensOnceThenReads() {
        var machine = NVMLSessionStateMachine(retryInterval: .seconds(30))
        #expect(machine.readRequested(now: t0) == .open)
        #expect(machine.opened() == .logAvailable)
        #expect(machine.readRequested(now: t0) == .read)
        #expect(machine.readFinished(nil, now: t0) == (false, .none))
        #expect(machine.readRequested(now: t0 + .seconds(1)) == .read)
    }

    @Test func failureIsLoggedOnceAndRetriedAfterTheInterval() {
        var machine = NVMLSessionStateMachine(retryInterval: .seconds(30))
        #expect(machine.readRequested(now: t0) == .open)
        #expect(machine.openFailed(missing, now: t0) == .logUnavailable(missing))
        #expect(machine.readRequested(now: t0 + .seconds(29)) == .reportUnavailable(missing))
        #expect(machine.readRequested(now: t0 + .seconds(30)) == .open)
        #expect(machine.openFailed(missing, now: t0 + .seconds(30)) == .none)  // same reason: no new line
        #expect(machine.readRequested(now: t0 + .seconds(60)) == .open)
        #expect(machine.openFailed(noDriver, now: t0 + .seconds(60)) == .logUnavailable(noDriver))  // new reason
        #expect(machine.readRequested(now: t0 + .seconds(90)) == .open)
        #expect(machine.opened() == .logAvailable)
        #expect(machine.readRequested(now: t0 + .seconds(90)) == .read)
    }

    @Test(arguments: [NVMLReturn.driverNotLoaded, .libRMVersionMismatch, .uninitialized])
    func lostSessionIsReopened(code: NVMLReturn) {
        var machine = NVMLSessionStateMachine(retryInterval: .seconds(5))
        _ = machine.readRequested(now: t0)
        _ = machine.opened()
        let error = NVMLError(code: .call(code), function: "nvmlDeviceGetCount_v2", library: "x")
        let (close, log) = machine.readFinished(error, now: t0)
        #expect(close == (code != .uninitialized))  // nothing to shut down when NVML says it is not initialised
        #expect(log == .logUnavailable(error))
        #expect(machine.readRequested(now: t0 + .seconds(4)) == .reportUnavailable(error))
        #expect(machine.readRequested(now: t0 + .seconds(5)) == .open)
    }

    @Test func otherCountFailureKeepsTheSessionAndLogsRecovery() {
        var machine = NVMLSessionStateMachine()
        _ = machine.readRequested(now: t0)
        _ = machine.opened()
        let error = NVMLError(code: .call(.unknown), function: "nvmlDeviceGetCount_v2", library: "x")
        #expect(machine.readFinished(error, now: t0) == (false, .logUnavailable(error)))
        #expect(machine.readFinished(error, now: t0) == (false, .none))
        #expect(machine.readRequested(now: t0) == .read)
        #expect(machine.readFinished(nil, now: t0) == (false, .logAvailable))
    }

    @Test func shutdownOnlyWhenOpenAndFinal() {
        var open = NVMLSessionStateMachine()
        _ = open.readRequested(now: t0)
        _ = open.opened()
        #expect(open.shutdownRequested() == .shutdown)
        #expect(open.shutdownRequested() == .none)
        guard case .reportUnavailable = open.readRequested(now: t0) else {
            Issue.record("a shut-down session must not touch NVML")
            return
        }
        var failed = NVMLSessionStateMachine()
        _ = failed.readRequested(now: t0)
        _ = failed.openFailed(missing, now: t0)
        #expect(failed.shutdownRequested() == .none)
        #expect(failed.opened() == .none)
    }
}
