import GRPCCore
import GRPCNIOTransportHTTP2Posix
import KubeletPodResources
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls the kubelet's pod-resources API (`v1.PodResourcesLister/List`) over its unix socket with
/// grpc-swift 2, one connection per call: the mapping is asked for every few seconds at most, and a
/// connection that is opened fresh each time recovers from a kubelet restart without any state.
public struct PodResourcesClient: Sendable {
    /// The socket. The kubelet serves the API at `/var/lib/kubelet/pod-resources/kubelet.sock`.
    public var socketPath: String
    /// The longest one `List` call may take, connecting included. Default 2 s.
    public var timeout: Duration
    /// The largest response accepted, bytes. Default 16 MiB, as the kubelet's own server limit
    /// (a node with hundreds of pods answers in well under 1 MiB).
    public var maxResponseBytes: Int

    /// The kubelet's socket path.
    public static let defaultSocketPath = "/var/lib/kubelet/pod-resources/kubelet.sock"

    /// A client for the socket at `socketPath`.
    public init(socketPath: String = PodResourcesClient.defaultSocketPath, timeout: Duration = .seconds(2),
                maxResponseBytes: Int = 16 << 20) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// Every container's device allocations, as the kubelet reports them now.
    /// - Throws: ``PodResourcesError``: the socket is missing, not a socket, not permitted, not answering,
    ///   too slow, or the call failed.
    public func list() async throws(PodResourcesError) -> PodResourcesListing {
        try checkSocket()
        try probe()
        let socket = socketPath
        var options = CallOptions.defaults
        options.timeout = timeout
        // Fail at once when the socket refuses, rather than waiting for it to become ready: the next
        // refresh tries again.
        options.waitForReady = false
        options.maxResponseMessageBytes = maxResponseBytes
        do {
            let transport = try HTTP2ClientTransport.Posix(
                target: .unixDomainSocket(path: socket, authority: "localhost"),
                transportSecurity: .plaintext)
            let response = try await withGRPCClient(transport: transport) { client in
                try await V1_PodResourcesLister.Client(wrapping: client).list(V1_ListPodResourcesRequest(), options: options)
            }
            return PodResourcesListing(response)
        } catch let error as RPCError {
            throw Self.map(error, socket: socket)
        } catch {
            throw PodResourcesError(code: .unavailable, socket: socket, detail: "\(error)")
        }
    }

    /// A missing or foreign socket file is told apart before gRPC, whose error would only say "unavailable".
    private func checkSocket() throws(PodResourcesError) {
        var info = stat()
        guard stat(socketPath, &info) == 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw PodResourcesError(code: .socketNotFound, socket: socketPath)
            case EACCES, EPERM: throw PodResourcesError(code: .permissionDenied, socket: socketPath)
            default: throw PodResourcesError(code: .unavailable, socket: socketPath, detail: String(cString: strerror(code)))
            }
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw PodResourcesError(code: .notASocket, socket: socketPath) }
    }

    /// One non-blocking `connect` before gRPC: a stale socket (nobody listening) or a denied one is then
    /// told at once and by name, instead of as gRPC's "unavailable" after its connection attempts. The
    /// kubelet's gRPC server does not log a connection that closes before the HTTP/2 preface.
    private func probe() throws(PodResourcesError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else {
            throw PodResourcesError(code: .notASocket, socket: socketPath,
                                    detail: "the path is \(path.count) bytes; a unix socket path has at most \(capacity - 1)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return }  // no descriptor to spare: let gRPC try and report
        defer { close(fd) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result != 0 else { return }
        let code = errno
        switch code {
        case ECONNREFUSED:
            throw PodResourcesError(code: .unavailable, socket: socketPath, detail: "connection refused")
        case EACCES, EPERM:
            throw PodResourcesError(code: .permissionDenied, socket: socketPath)
        case ENOENT:
            throw PodResourcesError(code: .socketNotFound, socket: socketPath)
        default:
            return  // e.g. EAGAIN, a full backlog: a busy kubelet, not a dead one; gRPC waits within the timeout
        }
    }

    static func map(_ error: RPCError, socket: String) -> PodResourcesError {
        let detail = error.message
        switch error.code {
        case .unavailable:
            let text = "\(error)".lowercased()
            if text.contains("permission denied") || text.contains("eacces") {
                return PodResourcesError(code: .permissionDenied, socket: socket, detail: detail)
            }
            return PodResourcesError(code: .unavailable, socket: socket, detail: detail)
        case .deadlineExceeded:
            return PodResourcesError(code: .timeout, socket: socket, detail: detail)
        case .permissionDenied, .unauthenticated:
            return PodResourcesError(code: .permissionDenied, socket: socket, detail: detail)
        default:
            return PodResourcesError(code: .rpc(Self.statusName(error.code)), socket: socket, detail: detail)
        }
    }

    /// gRPC's snake-case status names, as the metric label uses them.
    static func statusName(_ code: RPCError.Code) -> String {
        switch code {
        case .cancelled: return "cancelled"
        case .unknown: return "unknown"
        case .invalidArgument: return "invalid_argument"
        case .deadlineExceeded: return "deadline_exceeded"
        case .notFound: return "not_found"
        case .alreadyExists: return "already_exists"
        case .permissionDenied: return "permission_denied"
        case .resourceExhausted: return "resource_exhausted"
        case .failedPrecondition: return "failed_precondition"
        case .aborted: return "aborted"
        case .outOfRange: return "out_of_range"
        case .unimplemented: return "unimplemented"
        case .internalError: return "internal"
        case .unavailable: return "unavailable"
        case .dataLoss: return "data_loss"
        case .unauthenticated: return "unauthenticated"
        default: return "code_\(code.rawValue)"
        }
    }
}
