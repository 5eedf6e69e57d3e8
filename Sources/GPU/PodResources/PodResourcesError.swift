/// Why the kubelet's pod-resources API could not be read. `description` is one line a user can act on;
/// `code.label` is the `error` label of `inferscale_gpu_pod_resources_error_info`.
public struct PodResourcesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// No file at the socket path: the hostPath is not mounted, or the kubelet has not started.
        case socketNotFound
        /// The path exists but is not a unix socket.
        case notASocket
        /// The agent may not open the socket (it is root-owned, mode 0600 on most nodes).
        case permissionDenied
        /// Nothing accepted the connection (a stale socket file, or the kubelet is restarting).
        case unavailable
        /// No answer within the configured timeout.
        case timeout
        /// The call reached the kubelet and failed with this gRPC status code name, e.g. `unimplemented`.
        case rpc(String)

        /// The metric label: `socket_not_found`, `not_a_socket`, `permission_denied`, `unavailable`,
        /// `timeout` or `rpc_<status>`.
        public var label: String {
            switch self {
            case .socketNotFound: return "socket_not_found"
            case .notASocket: return "not_a_socket"
            case .permissionDenied: return "permission_denied"
            case .unavailable: return "unavailable"
            case .timeout: return "timeout"
            case .rpc(let status): return "rpc_\(status)"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The socket path the agent was configured with.
    public var socket: String
    /// The system's or gRPC's own text, if any.
    public var detail: String

    /// Creates an error; `detail` is the system's or gRPC's own text.
    public init(code: Code, socket: String, detail: String = "") {
        self.code = code
        self.socket = socket
        self.detail = detail
    }

    /// One line: what failed, and what to do. GPU series are then labelled `allocation="unknown"`.
    public var description: String {
        var text = "cannot map GPUs to pods: "
        switch code {
        case .socketNotFound:
            text += "the kubelet's pod-resources socket \(socket) does not exist; mount the host's /var/lib/kubelet/pod-resources into the agent (hostPath, read-only) or pass --pod-resources-socket PATH"
        case .notASocket:
            text += "\(socket) is not a unix socket; point --pod-resources-socket at the kubelet's pod-resources socket"
        case .permissionDenied:
            text += "permission denied on \(socket); the socket is root-only on most nodes: run the agent as root (runAsUser: 0)"
        case .unavailable:
            text += "nothing answers on \(socket) (a stale socket, or the kubelet is restarting); retrying"
        case .timeout:
            text += "the kubelet did not answer on \(socket) in time; retrying"
        case .rpc(let status):
            text += "the kubelet's pod-resources List call failed on \(socket) with \(status)"
            if status == "unimplemented" { text += "; the kubelet is older than 1.20 or its PodResources feature is off" }
        }
        if !detail.isEmpty { text += " (\(detail))" }
        return text
    }
}
