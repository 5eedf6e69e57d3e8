/// An NVML return code (`nvmlReturn_t`), with its `NVML_ERROR_*` name and what a user can do about it.
///
/// Codes and meanings follow `nvml.h` (API version 13). Unknown codes keep their number and read as
/// `NVML_ERROR_<number>`, so a newer driver's code is still reported, never dropped.
public struct NVMLReturn: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The C value of `nvmlReturn_t`.
    public var rawValue: UInt32

    /// Wraps a C return code.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `NVML_SUCCESS` (0).
    public static let success = NVMLReturn(rawValue: 0)
    /// `NVML_ERROR_UNINITIALIZED` (1): `nvmlInit` was not called, or NVML was shut down.
    public static let uninitialized = NVMLReturn(rawValue: 1)
    /// `NVML_ERROR_INVALID_ARGUMENT` (2).
    public static let invalidArgument = NVMLReturn(rawValue: 2)
    /// `NVML_ERROR_NOT_SUPPORTED` (3): the device does not support the query (e.g. an iGPU, or MIG).
    public static let notSupported = NVMLReturn(rawValue: 3)
    /// `NVML_ERROR_NO_PERMISSION` (4).
    public static let noPermission = NVMLReturn(rawValue: 4)
    /// `NVML_ERROR_NOT_FOUND` (6).
    public static let notFound = NVMLReturn(rawValue: 6)
    /// `NVML_ERROR_INSUFFICIENT_SIZE` (7): grow the buffer and call again.
    public static let insufficientSize = NVMLReturn(rawValue: 7)
    /// `NVML_ERROR_DRIVER_NOT_LOADED` (9).
    public static let driverNotLoaded = NVMLReturn(rawValue: 9)
    /// `NVML_ERROR_LIBRARY_NOT_FOUND` (12).
    public static let libraryNotFound = NVMLReturn(rawValue: 12)
    /// `NVML_ERROR_FUNCTION_NOT_FOUND` (13): the driver is too old for this function.
    public static let functionNotFound = NVMLReturn(rawValue: 13)
    /// `NVML_ERROR_GPU_IS_LOST` (15): the GPU fell off the bus.
    public static let gpuIsLost = NVMLReturn(rawValue: 15)
    /// `NVML_ERROR_LIB_RM_VERSION_MISMATCH` (18): user-space library and kernel module differ.
    public static let libRMVersionMismatch = NVMLReturn(rawValue: 18)
    /// `NVML_ERROR_ARGUMENT_VERSION_MISMATCH` (25): a versioned struct had the wrong `version`.
    public static let argumentVersionMismatch = NVMLReturn(rawValue: 25)
    /// `NVML_ERROR_UNKNOWN` (999).
    public static let unknown = NVMLReturn(rawValue: 999)

    private static let names: [UInt32: String] = [
        0: "NVML_SUCCESS", 1: "NVML_ERROR_UNINITIALIZED", 2: "NVML_ERROR_INVALID_ARGUMENT",
        3: "NVML_ERROR_NOT_SUPPORTED", 4: "NVML_ERROR_NO_PERMISSION", 5: "NVML_ERROR_ALREADY_INITIALIZED",
        6: "NVML_ERROR_NOT_FOUND", 7: "NVML_ERROR_INSUFFICIENT_SIZE", 8: "NVML_ERROR_INSUFFICIENT_POWER",
        9: "NVML_ERROR_DRIVER_NOT_LOADED", 10: "NVML_ERROR_TIMEOUT", 11: "NVML_ERROR_IRQ_ISSUE",
        12: "NVML_ERROR_LIBRARY_NOT_FOUND", 13: "NVML_ERROR_FUNCTION_NOT_FOUND",
        14: "NVML_ERROR_CORRUPTED_INFOROM", 15: "NVML_ERROR_GPU_IS_LOST", 16: "NVML_ERROR_RESET_REQUIRED",
        17: "NVML_ERROR_OPERATING_SYSTEM", 18: "NVML_ERROR_LIB_RM_VERSION_MISMATCH", 19: "NVML_ERROR_IN_USE",
        20: "NVML_ERROR_MEMORY", 21: "NVML_ERROR_NO_DATA", 22: "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
        23: "NVML_ERROR_INSUFFICIENT_RESOURCES", 24: "NVML_ERROR_FREQ_NOT_SUPPORTED",
        25: "NVML_ERROR_ARGUMENT_VERSION_MISMATCH", 26: "NVML_ERROR_DEPRECATED", 27: "NVML_ERROR_NOT_READY",
        28: "NVML_ERROR_GPU_NOT_FOUND", 29: "NVML_ERROR_INVALID_STATE", 30: "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED",
        999: "NVML_ERROR_UNKNOWN",
    ]

    /// The C name, e.g. `NVML_ERROR_GPU_IS_LOST`; `NVML_ERROR_<number>` for codes newer than this table.
    public var name: String { Self.names[rawValue] ?? "NVML_ERROR_\(rawValue)" }

    /// What an operator can do about this code, in one clause; empty where the name says it all.
    public var hint: String {
        switch rawValue {
        case 1: return "NVML was not initialised; the agent re-initialises it on the next read"
        case 3: return "this GPU does not support the query (common for MIG instances and integrated GPUs)"
        case 4: return "the agent lacks permission; run it with access to /dev/nvidia* (privileged or the NVIDIA container runtime)"
        case 9: return "the NVIDIA kernel driver is not loaded; check `lsmod | grep nvidia` and the driver installation"
        case 12: return "install the NVIDIA driver, or pass --nvml-library PATH"
        case 13: return "the driver is too old for this function; upgrade the driver"
        case 15: return "the GPU fell off the bus; check dmesg for Xid errors, the node needs attention (drain and reset)"
        case 16: return "the GPU needs a reset"
        case 17: return "blocked by the operating system or cgroups; check the container's device access"
        case 18: return "the NVML library and the kernel module versions differ; reboot or reload the driver"
        case 25: return "the struct version is not one this driver accepts"
        default: return ""
        }
    }

    /// `NAME (code)`, e.g. `NVML_ERROR_GPU_IS_LOST (15)`.
    public var description: String { "\(name) (\(rawValue))" }
}
