#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libnvidia-ml loaded at run time with `dlopen`, with typed wrappers for the few NVML calls the agent makes.
///
/// Nothing links against NVML: the binary builds and runs on machines without the NVIDIA driver, and a
/// missing library or symbol is an ``NVMLError`` rather than a loader failure at start. Versioned symbols
/// (`nvmlInit_v2`, `nvmlDeviceGetCount_v2`, …) are looked up by their explicit names, as `nvml.h` only
/// `#define`s the plain names to them. The C structs are read at the fixed x86-64/arm64 Linux offsets given
/// in `nvml.h` rather than through Swift struct layout.
///
/// NVML is thread-safe; this class is immutable after `init`, so it is `Sendable`. The library stays mapped
/// for the life of the process: unloading a driver library that may have started threads is not safe.
public final class NVMLLibrary: @unchecked Sendable {
    /// The soname the NVIDIA driver installs; found through the dynamic loader's search path.
    public static let defaultPath = "libnvidia-ml.so.1"

    /// The functions without which the agent cannot read memory; a library lacking one is refused.
    public static let requiredSymbols = [
        "nvmlInit_v2", "nvmlShutdown", "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2",
        "nvmlDeviceGetMemoryInfo",
    ]

    /// The path given to `dlopen`.
    public let path: String

    private typealias VoidCall = @convention(c) () -> UInt32
    private typealias CountCall = @convention(c) (UnsafeMutablePointer<UInt32>?) -> UInt32
    private typealias HandleCall = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>?) -> UInt32
    private typealias StructCall = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> UInt32
    private typealias StringCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, UInt32) -> UInt32
    private typealias ProcessesCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt32>?, UnsafeMutableRawPointer?) -> UInt32
    private typealias ErrorStringCall = @convention(c) (UInt32) -> UnsafePointer<CChar>?
    private typealias ModeCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt32>?) -> UInt32
    private typealias DeviceCountCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt32>?) -> UInt32
    private typealias ChildHandleCall = @convention(c) (OpaquePointer?, UInt32, UnsafeMutablePointer<OpaquePointer?>?) -> UInt32

    private let nvmlInit: VoidCall
    private let nvmlShutdown: VoidCall
    private let getCount: CountCall
    private let getHandle: HandleCall
    private let getMemoryV1: StructCall
    private let getMemoryV2: StructCall?
    private let getName: StringCall?
    private let getUUID: StringCall?
    private let getUtilization: StructCall?
    private let getProcesses: ProcessesCall?
    private let errorString: ErrorStringCall?
    private let getMigMode: ModeCall?
    private let getMaxMigDeviceCount: DeviceCountCall?
    private let getMigDeviceHandle: ChildHandleCall?
    private let getGpuInstanceId: DeviceCountCall?
    private let getComputeInstanceId: DeviceCountCall?

    /// Loads the library at `path` (a file path, or a soname looked up by the dynamic loader) and resolves
    /// its symbols. Does not call `nvmlInit`.
    ///
    /// - Throws: ``NVMLError`` with code `libraryNotFound` when `dlopen` fails, or `symbolNotFound` naming
    ///   the first of ``requiredSymbols`` the library does not export.
    public init(path: String = NVMLLibrary.defaultPath) throws(NVMLError) {
        self.path = path
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw NVMLError(code: .libraryNotFound, function: "", library: path, detail: Self.lastLoaderError())
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            guard let address = dlsym(handle, name) else { return nil }
            return unsafeBitCast(address, to: type)
        }
        func required<T>(_ name: String, as type: T.Type) throws(NVMLError) -> T {
            guard let function = symbol(name, as: type) else {
                throw NVMLError(code: .symbolNotFound, function: name, library: path)
            }
            return function
        }
        nvmlInit = try required("nvmlInit_v2", as: VoidCall.self)
        nvmlShutdown = try required("nvmlShutdown", as: VoidCall.self)
        getCount = try required("nvmlDeviceGetCount_v2", as: CountCall.self)
        getHandle = try required("nvmlDeviceGetHandleByIndex_v2", as: HandleCall.self)
        getMemoryV1 = try required("nvmlDeviceGetMemoryInfo", as: StructCall.self)
        getMemoryV2 = symbol("nvmlDeviceGetMemoryInfo_v2", as: StructCall.self)
        getName = symbol("nvmlDeviceGetName", as: StringCall.self)
        getUUID = symbol("nvmlDeviceGetUUID", as: StringCall.self)
        getUtilization = symbol("nvmlDeviceGetUtilizationRates", as: StructCall.self)
        getProcesses = symbol("nvmlDeviceGetComputeRunningProcesses_v3", as: ProcessesCall.self)
        errorString = symbol("nvmlErrorString", as: ErrorStringCall.self)
        getMigMode = symbol("nvmlDeviceGetMigMode", as: ModeCall.self)
        getMaxMigDeviceCount = symbol("nvmlDeviceGetMaxMigDeviceCount", as: DeviceCountCall.self)
        getMigDeviceHandle = symbol("nvmlDeviceGetMigDeviceHandleByIndex", as: ChildHandleCall.self)
        getGpuInstanceId = symbol("nvmlDeviceGetGpuInstanceId", as: DeviceCountCall.self)
        getComputeInstanceId = symbol("nvmlDeviceGetComputeInstanceId", as: DeviceCountCall.self)
    }

    private static func lastLoaderError() -> String {
        guard let message = dlerror() else { return "" }
        return String(cString: message)
    }

    // MARK: Lifecycle

    /// `nvmlInit_v2`. NVML counts initialisations; pair each successful call with ``shutdown()``.
    public func initialize() throws(NVMLError) {
        try check(nvmlInit(), "nvmlInit_v2")
    }

    /// `nvmlShutdown`: releases what ``initialize()`` took once the count reaches zero.
    public func shutdown() throws(NVMLError) {
        try check(nvmlShutdown(), "nvmlShutdown")
    }

    // MARK: Devices

    /// `nvmlDeviceGetCount_v2`: the number of GPUs, including any this process may not access.
    public func deviceCount() throws(NVMLError) -> UInt32 {
        var count: UInt32 = 0
        try check(getCount(&count), "nvmlDeviceGetCount_v2")
        return count
    }

    /// `nvmlDeviceGetHandleByIndex_v2`: the handle of GPU `index` in NVML order (which may differ from
    /// CUDA's; key GPUs by UUID).
    public func device(at index: UInt32) throws(NVMLError) -> NVMLDevice {
        var handle: OpaquePointer?
        try check(getHandle(index, &handle), "nvmlDeviceGetHandleByIndex_v2", device: index)
        return NVMLDevice(index: index, handle: handle)
    }

    /// `nvmlDeviceGetName`: the product name, e.g. `NVIDIA H100 80GB HBM3`; nil when the driver lacks the call.
    public func name(of device: NVMLDevice) throws(NVMLError) -> String? {
        guard let getName else { return nil }
        return try string(getName, device, "nvmlDeviceGetName")
    }

    /// `nvmlDeviceGetUUID`: the stable identity, e.g. `GPU-5b1e3c0a-…`; nil when the driver lacks the call.
    public func uuid(of device: NVMLDevice) throws(NVMLError) -> String? {
        guard let getUUID else { return nil }
        return try string(getUUID, device, "nvmlDeviceGetUUID")
    }

    /// Buffer size for names and UUIDs (`NVML_DEVICE_NAME_V2_BUFFER_SIZE`, `NVML_DEVICE_UUID_V2_BUFFER_SIZE`).
    static let stringBufferSize = 96

    private func string(_ call: StringCall, _ device: NVMLDevice, _ function: String) throws(NVMLError) -> String {
        var buffer = [CChar](repeating: 0, count: Self.stringBufferSize + 1)
        let result = buffer.withUnsafeMutableBufferPointer { call(device.handle, $0.baseAddress, UInt32(Self.stringBufferSize)) }
        try check(result, function, device: device.index)
        buffer[Self.stringBufferSize] = 0  // a driver that fills the buffer without a terminator cannot overrun it
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Memory

    /// `sizeof(nvmlMemory_v2_t)` and the struct's `version` value, `NVML_STRUCT_VERSION(Memory, 2)`.
    static let memoryV2Size = 40
    static let memoryV2Version: UInt32 = 40 | (2 << 24)

    /// Frame-buffer memory of `device`, in bytes.
    ///
    /// Uses `nvmlDeviceGetMemoryInfo_v2` (which also gives the driver-reserved amount) when the library has it,
    /// and falls back to the v1 call when it is missing or the driver refuses the v2 struct
    /// (`FUNCTION_NOT_FOUND`, `ARGUMENT_VERSION_MISMATCH`, `NOT_SUPPORTED`).
    public func memory(of device: NVMLDevice) throws(NVMLError) -> GPUMemory {
        if let getMemoryV2 {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.memoryV2Size, alignment: 8)
            defer { buffer.deallocate() }
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: Self.memoryV2Size)
            buffer.storeBytes(of: Self.memoryV2Version, toByteOffset: 0, as: UInt32.self)
            let result = NVMLReturn(rawValue: getMemoryV2(device.handle, buffer))
            if result == .success {
                // { unsigned int version; (4 pad) unsigned long long total, reserved, free, used; }
                return GPUMemory(
                    totalBytes: buffer.load(fromByteOffset: 8, as: UInt64.self),
                    freeBytes: buffer.load(fromByteOffset: 24, as: UInt64.self),
                    usedBytes: buffer.load(fromByteOffset: 32, as: UInt64.self),
                    reservedBytes: buffer.load(fromByteOffset: 16, as: UInt64.self))
            }
            if ![.functionNotFound, .argumentVersionMismatch, .notSupported].contains(result) {
                throw error(result, "nvmlDeviceGetMemoryInfo_v2", device: device.index)
            }
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 24, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 24)
        try check(getMemoryV1(device.handle, buffer), "nvmlDeviceGetMemoryInfo", device: device.index)
        // { unsigned long long total, free, used; }
        return GPUMemory(
            totalBytes: buffer.load(fromByteOffset: 0, as: UInt64.self),
            freeBytes: buffer.load(fromByteOffset: 8, as: UInt64.self),
            usedBytes: buffer.load(fromByteOffset: 16, as: UInt64.self),
            reservedBytes: nil)
    }

    // MARK: Utilisation

    /// `nvmlDeviceGetUtilizationRates`: percentages over the driver's last sample period (1/6 s to 1 s);
    /// nil when the driver lacks the call.
    public func utilization(of device: NVMLDevice) throws(NVMLError) -> GPUUtilization? {
        guard let getUtilization else { return nil }
        var rates: (UInt32, UInt32) = (0, 0)  // { unsigned int gpu; unsigned int memory; }
        let result = withUnsafeMutableBytes(of: &rates) { getUtilization(device.handle, $0.baseAddress) }
        try check(result, "nvmlDeviceGetUtilizationRates", device: device.index)
        return GPUUtilization(gpuPercent: rates.0, memoryPercent: rates.1)
    }

    // MARK: Processes

    /// `sizeof(nvmlProcessInfo_t)` as `_v3` expects it: `{ pid; (pad) usedGpuMemory; gpuInstanceId; computeInstanceId; }`.
    static let processInfoSize = 24
    /// `NVML_VALUE_NOT_AVAILABLE`: the driver does not know the figure (e.g. without permission).
    static let valueNotAvailable = UInt64.max

    /// `nvmlDeviceGetComputeRunningProcesses_v3`: GPU memory per compute process (host PIDs), using NVML's
    /// two-call pattern with headroom for processes that start between the calls; nil when the driver lacks
    /// the call. A process whose figure NVML does not know has `usedBytes == nil`.
    public func processes(of device: NVMLDevice) throws(NVMLError) -> [GPUProcessMemory]? {
        guard let getProcesses else { return nil }
        let function = "nvmlDeviceGetComputeRunningProcesses_v3"
        var count: UInt32 = 0
        var result = NVMLReturn(rawValue: getProcesses(device.handle, &count, nil))
        if result == .success { return [] }
        // A list that keeps growing between the calls is retried a few times, never forever.
        for _ in 0..<4 {
            guard result == .insufficientSize else { break }
            let capacity = Int(count) + 4
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity * Self.processInfoSize, alignment: 8)
            defer { buffer.deallocate() }
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * Self.processInfoSize)
            count = UInt32(capacity)
            result = NVMLReturn(rawValue: getProcesses(device.handle, &count, buffer))
            if result == .success {
                return (0..<min(Int(count), capacity)).map { i in
                    let entry = buffer + i * Self.processInfoSize
                    let used = entry.load(fromByteOffset: 8, as: UInt64.self)
                    return GPUProcessMemory(
                        pid: entry.load(fromByteOffset: 0, as: UInt32.self),
                        usedBytes: used == Self.valueNotAvailable ? nil : used)
                }
            }
        }
        throw error(result, function, device: device.index)
    }

    // MARK: MIG

    /// `NVML_DEVICE_MIG_ENABLE`, the `currentMode` of a GPU in MIG mode.
    static let migEnabled: UInt32 = 1

    /// The MIG devices of `device` when its current MIG mode is on: `nvmlDeviceGetMigMode`, then
    /// `nvmlDeviceGetMaxMigDeviceCount` and `nvmlDeviceGetMigDeviceHandleByIndex` for each slot (`NOT_FOUND`
    /// is an empty slot). nil when MIG is off, the GPU does not support it (`NOT_SUPPORTED`), or the library
    /// lacks these calls. Each handle carries the parent's index (so errors name the GPU) beside its slot;
    /// the handles are valid while NVML stays initialised.
    public func migDevices(of device: NVMLDevice) throws(NVMLError) -> [(slot: UInt32, device: NVMLDevice)]? {
        guard let getMigMode, let getMaxMigDeviceCount, let getMigDeviceHandle else { return nil }
        var current: UInt32 = 0
        var pending: UInt32 = 0
        let mode = NVMLReturn(rawValue: getMigMode(device.handle, &current, &pending))
        if mode == .notSupported { return nil }
        if mode != .success { throw error(mode, "nvmlDeviceGetMigMode", device: device.index) }
        guard current == Self.migEnabled else { return nil }
        var slots: UInt32 = 0
        try check(getMaxMigDeviceCount(device.handle, &slots), "nvmlDeviceGetMaxMigDeviceCount", device: device.index)
        var children: [(slot: UInt32, device: NVMLDevice)] = []
        // An A100/H100 has at most 7 slices; the cap keeps a misbehaving library from making the list unbounded.
        for slot in 0..<min(slots, 64) {
            var handle: OpaquePointer?
            let result = NVMLReturn(rawValue: getMigDeviceHandle(device.handle, slot, &handle))
            if result == .notFound { continue }
            if result != .success { throw error(result, "nvmlDeviceGetMigDeviceHandleByIndex", device: device.index) }
            children.append((slot, NVMLDevice(index: device.index, handle: handle)))
        }
        return children
    }

    /// `nvmlDeviceGetGpuInstanceId` and `nvmlDeviceGetComputeInstanceId` of a MIG device handle; nil where
    /// the library lacks the call.
    public func migInstanceIDs(of migDevice: NVMLDevice) throws(NVMLError) -> (gpuInstance: UInt32?, computeInstance: UInt32?) {
        var gpuInstance: UInt32?
        var computeInstance: UInt32?
        if let getGpuInstanceId {
            var id: UInt32 = 0
            try check(getGpuInstanceId(migDevice.handle, &id), "nvmlDeviceGetGpuInstanceId", device: migDevice.index)
            gpuInstance = id
        }
        if let getComputeInstanceId {
            var id: UInt32 = 0
            try check(getComputeInstanceId(migDevice.handle, &id), "nvmlDeviceGetComputeInstanceId", device: migDevice.index)
            computeInstance = id
        }
        return (gpuInstance, computeInstance)
    }

    // MARK: Errors

    private func check(_ raw: UInt32, _ function: String, device: UInt32? = nil) throws(NVMLError) {
        let result = NVMLReturn(rawValue: raw)
        if result != .success { throw error(result, function, device: device) }
    }

    private func error(_ result: NVMLReturn, _ function: String, device: UInt32?) -> NVMLError {
        var detail = ""
        if let errorString, let text = errorString(result.rawValue) { detail = String(cString: text) }
        return NVMLError(code: .call(result), function: function, library: path, device: device, detail: detail)
    }
}
