/// Reads every GPU once through an initialised ``NVMLLibrary``. The calls block (NVML talks to the kernel
/// driver), so run ``read(using:)`` off the cooperative thread pool.
public struct GPUReader: Sendable {
    /// Caps on what one read returns, so a node cannot make the agent's output unbounded.
    public struct Limits: Sendable, Hashable {
        /// GPUs read per pass; NVML counts beyond this are read up to the cap. Default 64.
        public var devices: Int = 64
        /// Whether to read per-process memory (`nvmlDeviceGetComputeRunningProcesses_v3`). Default true.
        public var readProcesses: Bool = true
        /// Processes reported per GPU, largest memory first; the rest are counted as omitted. Default 64.
        public var processesPerDevice: Int = 64

        /// The defaults above.
        public init() {}
    }

    /// Caps on what one read returns.
    public var limits: Limits

    /// A reader with the given caps.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// One pass over every GPU, blocking. A failing GPU gives a reading with its errors and the other GPUs
    /// are still read; a failing device count makes the whole snapshot unavailable.
    /// - Parameter clock: measures ``GPUSnapshot/readSeconds``.
    public func read(using library: NVMLLibrary, clock: ContinuousClock = ContinuousClock()) -> GPUSnapshot {
        let start = clock.now
        let count: UInt32
        do {
            count = try library.deviceCount()
        } catch {
            return GPUSnapshot(unavailable: error, readSeconds: seconds(start.duration(to: clock.now)))
        }
        let readable = UInt32(min(Int(count), max(0, limits.devices)))
        let devices = (0..<readable).map { readDevice(at: $0, using: library) }
        return GPUSnapshot(deviceCount: count, devices: devices, readSeconds: seconds(start.duration(to: clock.now)))
    }

    private func readDevice(at index: UInt32, using library: NVMLLibrary) -> GPUDeviceReading {
        var reading = GPUDeviceReading(index: index)
        let device: NVMLDevice
        do {
            device = try library.device(at: index)
        } catch {
            reading.errors.append(error)
            return reading
        }
        /// Records a failure; `NOT_SUPPORTED` on an optional figure is the device's nature, not an error.
        func attempt<T>(optional: Bool, _ body: () throws(NVMLError) -> T?) -> T? {
            do {
                return try body()
            } catch {
                if !(optional && error.code == .call(.notSupported)) { reading.errors.append(error) }
                return nil
            }
        }
        reading.uuid = attempt(optional: false) { () throws(NVMLError) in try library.uuid(of: device) } ?? ""
        reading.model = attempt(optional: false) { () throws(NVMLError) in try library.name(of: device) } ?? ""
        reading.memory = attempt(optional: false) { () throws(NVMLError) in try library.memory(of: device) }
        reading.utilization = attempt(optional: true) { () throws(NVMLError) in try library.utilization(of: device) }
        if limits.readProcesses,
           let all = attempt(optional: true, { () throws(NVMLError) in try library.processes(of: device) }) {
            let sorted = all.sorted { ($0.usedBytes ?? 0, $1.pid) > ($1.usedBytes ?? 0, $0.pid) }
            let kept = max(0, limits.processesPerDevice)
            reading.processes = Array(sorted.prefix(kept))
            reading.processesOmitted = max(0, sorted.count - kept)
        }
        if let slices = attempt(optional: true, { () throws(NVMLError) in try library.migDevices(of: device) }) {
            reading.migDevices = slices.map { readMIGDevice($0.slot, $0.device, using: library) }
        }
        return reading
    }

    private func readMIGDevice(_ slot: UInt32, _ device: NVMLDevice, using library: NVMLLibrary) -> MIGDeviceReading {
        var reading = MIGDeviceReading(index: slot)
        do {
            reading.uuid = try library.uuid(of: device) ?? ""
        } catch {
            reading.errors.append(error)
        }
        do {
            (reading.gpuInstance, reading.computeInstance) = try library.migInstanceIDs(of: device)
        } catch {
            reading.errors.append(error)
        }
        do {
            reading.memory = try library.memory(of: device)
        } catch {
            reading.errors.append(error)
        }
        return reading
    }

    private func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
