/// Why NVML could not be used or a GPU could not be read: the library is missing, a required symbol is
/// missing, or an NVML call returned an error code.
///
/// `description` is one line a user can act on; `code.label` is the short form the agent puts in the
/// `error` label of its error metrics.
public struct NVMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// `dlopen` failed: no library at the path or on the loader's search path.
        case libraryNotFound
        /// The library loaded, but a function the agent needs is not exported.
        case symbolNotFound
        /// An NVML call returned this code.
        case call(NVMLReturn)

        /// The metric label for this code: `library_not_found`, `symbol_not_found` or the `NVML_ERROR_*` name.
        public var label: String {
            switch self {
            case .libraryNotFound: return "library_not_found"
            case .symbolNotFound: return "symbol_not_found"
            case .call(let code): return code.name
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The NVML function that failed, or the missing symbol; empty for a library that did not load.
    public var function: String
    /// The library path as given to `dlopen`.
    public var library: String
    /// The GPU index (NVML order) when the failure concerns one GPU.
    public var device: UInt32?
    /// Extra text from the system: `dlerror()` or `nvmlErrorString()`.
    public var detail: String

    /// Creates an error; `detail` is the system's own text, if any.
    public init(code: Code, function: String, library: String, device: UInt32? = nil, detail: String = "") {
        self.code = code
        self.function = function
        self.library = library
        self.device = device
        self.detail = detail
    }

    /// One line: what failed, why, and what to do.
    public var description: String {
        switch code {
        case .libraryNotFound:
            var text = "NVML is not available: cannot load \(library)"
            if !detail.isEmpty { text += " (\(detail))" }
            return text + "; install the NVIDIA driver (or run with the NVIDIA container runtime), or pass --nvml-library PATH"
        case .symbolNotFound:
            return "NVML at \(library) does not export \(function); the driver is too old or this is not libnvidia-ml — upgrade the driver or point --nvml-library at the right file"
        case .call(let result):
            var text = "\(function)"
            if let device { text += " for GPU \(device)" }
            text += " failed: \(result)"
            if !detail.isEmpty, detail != result.name { text += " \"\(detail)\"" }
            if !result.hint.isEmpty { text += "; \(result.hint)" }
            return text
        }
    }
}
