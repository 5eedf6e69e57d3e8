import Foundation
import GPU
import GRPCCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The pod-resources client against a real gRPC server on a unix socket (the fake kubelet service).
@Suite struct PodResourcesClientTests {
    /// Calls that the fake answers get a generous timeout: CI runs the suites in parallel on a loaded machine,
    /// where the production default (2 s) was once not enough for a loopback gRPC call.
    static let answered: Duration = .seconds(20)

    @Test func listsEveryContainersDevices() async throws {
        let directory = try socketDirectory()
        let server = try await FakePodResourcesServer.start(at: directory + "/kubelet.sock", answering: [
            ("llm", "vllm-0", "server", "nvidia.com/gpu", ["GPU-a", "GPU-b"]),
            ("llm", "vllm-0", "sidecar", "example.com/nic", ["nic-3"]),
            ("batch", "job-7", "main", "nvidia.com/mig-1g.10gb", ["MIG-c"]),
        ])
        let listing = try await PodResourcesClient(socketPath: server.socketPath, timeout: Self.answered).list()
        #expect(listing.allocations == [
            .init(holder: GPUHolder(namespace: "llm", pod: "vllm-0", container: "server"), resource: "nvidia.com/gpu", deviceIDs: ["GPU-a", "GPU-b"]),
            .init(holder: GPUHolder(namespace: "llm", pod: "vllm-0", container: "sidecar"), resource: "example.com/nic", deviceIDs: ["nic-3"]),
            .init(holder: GPUHolder(namespace: "batch", pod: "job-7", container: "main"), resource: "nvidia.com/mig-1g.10gb", deviceIDs: ["MIG-c"]),
        ])
        #expect(server.calls == 1)
        try await server.stop()
    }

    @Test func missingSocketIsSocketNotFound() async throws {
        let path = try socketDirectory() + "/kubelet.sock"
        let error = await #expect(throws: PodResourcesError.self) { try await PodResourcesClient(socketPath: path).list() }
        #expect(error?.code == .socketNotFound)
        #expect(error?.code.label == "socket_not_found")
        #expect(error?.description.contains("mount the host's /var/lib/kubelet/pod-resources") == true)
    }

    @Test func regularFileIsNotASocket() async throws {
        let path = try socketDirectory() + "/kubelet.sock"
        try "".write(toFile: path, atomically: true, encoding: .utf8)
        let error = await #expect(throws: PodResourcesError.self) { try await PodResourcesClient(socketPath: path).list() }
        #expect(error?.code == .notASocket)
    }

    @Test func staleSocketIsUnavailableAtOnce() async throws {
        let path = try socketDirectory() + "/kubelet.sock"
        try bindWithoutListening(path)
        let started = ContinuousClock.now
        let error = await #expect(throws: PodResourcesError.self) {
            try await PodResourcesClient(socketPath: path, timeout: .seconds(5)).list()
        }
        #expect(error?.code == .unavailable)
        #expect(ContinuousClock.now - started < .seconds(4))  // refused, not waited for
    }

    @Test func failedCallKeepsItsStatus() async throws {
        let server = try await FakePodResourcesServer.start(at: try socketDirectory() + "/kubelet.sock")
        server.fail(with: RPCError(code: .unimplemented, message: "unknown service v1.PodResourcesLister"))
        let error = await #expect(throws: PodResourcesError.self) {
            try await PodResourcesClient(socketPath: server.socketPath, timeout: Self.answered).list()
        }
        #expect(error?.code == .rpc("unimplemented"))
        #expect(error?.code.label == "rpc_unimplemented")
        #expect(error?.description.contains("older than 1.20") == true)
        try await server.stop()
    }
}

/// Leaves a socket file nobody listens on, as a kubelet that died does: connecting is refused.
func bindWithoutListening(_ path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TimedOut(description: "socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes.prefix(raw.count - 1))
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard result == 0 else { throw TimedOut(description: "bind(\(path)) failed: errno \(errno)") }
}
