import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import KubeletPodResources
import NIOConcurrencyHelpers

/// A stand-in for the kubelet's pod-resources service: the real `v1.PodResourcesLister` from the committed
/// generated code, served by grpc-swift 2 over HTTP/2 on a unix socket. Tests script what `List` answers.
final class FakePodResourcesServer: Sendable {
    /// One container's devices: (namespace, pod, container, resource, device IDs).
    typealias Entry = (namespace: String, pod: String, container: String, resource: String, ids: [String])

    /// What the service answers, and how often it was asked.
    struct Script: Sendable {
        var response = V1_ListPodResourcesResponse()
        var failure: RPCError?
        var calls = 0
    }

    let socketPath: String
    private let script: NIOLockedValueBox<Script>
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let task: Task<Void, Error>

    private init(socketPath: String, script: NIOLockedValueBox<Script>, server: GRPCServer<HTTP2ServerTransport.Posix>,
                 task: Task<Void, Error>) {
        self.socketPath = socketPath
        self.script = script
        self.server = server
        self.task = task
    }

    /// Serves at `socketPath` (which must not exist) and returns once the socket is listening.
    static func start(at socketPath: String, answering entries: [Entry] = []) async throws -> FakePodResourcesServer {
        let script = NIOLockedValueBox(Script(response: response(entries)))
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .unixDomainSocket(path: socketPath), transportSecurity: .plaintext),
            services: [Lister(script: script)])
        let task = Task { try await server.serve() }
        _ = try await withTimeout(10, "the fake pod-resources server to listen on \(socketPath)") {
            try await server.listeningAddress
        }
        return FakePodResourcesServer(socketPath: socketPath, script: script, server: server, task: task)
    }

    /// Changes what `List` answers from now on.
    func answer(_ entries: [Entry]) {
        script.withLockedValue { $0.response = Self.response(entries); $0.failure = nil }
    }

    /// Makes `List` fail with `error` from now on.
    func fail(with error: RPCError) {
        script.withLockedValue { $0.failure = error }
    }

    /// How many `List` calls arrived.
    var calls: Int { script.withLockedValue { $0.calls } }

    /// Stops serving (bounded) and removes the socket file.
    func stop() async throws {
        server.beginGracefulShutdown()
        let task = self.task
        try await withTimeout(10, "the fake pod-resources server to stop") { try await task.value }
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    /// The wire message for `entries`, grouping containers under their pod as the kubelet does.
    static func response(_ entries: [Entry]) -> V1_ListPodResourcesResponse {
        var pods: [V1_PodResources] = []
        for entry in entries {
            var devices = V1_ContainerDevices()
            devices.resourceName = entry.resource
            devices.deviceIds = entry.ids
            if let p = pods.firstIndex(where: { $0.namespace == entry.namespace && $0.name == entry.pod }) {
                if let c = pods[p].containers.firstIndex(where: { $0.name == entry.container }) {
                    pods[p].containers[c].devices.append(devices)
                } else {
                    var container = V1_ContainerResources()
                    container.name = entry.container
                    container.devices = [devices]
                    pods[p].containers.append(container)
                }
            } else {
                var container = V1_ContainerResources()
                container.name = entry.container
                container.devices = [devices]
                container.cpuIds = [2, 3]  // fields the agent does not read are there, as on a real node
                var pod = V1_PodResources()
                pod.name = entry.pod
                pod.namespace = entry.namespace
                pod.containers = [container]
                pods.append(pod)
            }
        }
        var response = V1_ListPodResourcesResponse()
        response.podResources = pods
        return response
    }

    private struct Lister: V1_PodResourcesLister.SimpleServiceProtocol {
        let script: NIOLockedValueBox<Script>

        func list(request: V1_ListPodResourcesRequest, context: ServerContext) async throws -> V1_ListPodResourcesResponse {
            let (response, failure) = script.withLockedValue { script in
                script.calls += 1
                return (script.response, script.failure)
            }
            if let failure { throw failure }
            return response
        }

        func getAllocatableResources(request: V1_AllocatableResourcesRequest,
                                     context: ServerContext) async throws -> V1_AllocatableResourcesResponse {
            V1_AllocatableResourcesResponse()
        }

        func get(request: V1_GetPodResourcesRequest, context: ServerContext) async throws -> V1_GetPodResourcesResponse {
            let response = script.withLockedValue { $0.response }
            guard let pod = response.podResources.first(where: { $0.name == request.podName && $0.namespace == request.podNamespace }) else {
                throw RPCError(code: .notFound, message: "pod \(request.podNamespace)/\(request.podName) not found")
            }
            var answer = V1_GetPodResourcesResponse()
            answer.podResources = pod
            return answer
        }
    }
}

/// A fresh directory for sockets, short enough for the 108-byte `sun_path` limit.
func socketDirectory() throws -> String {
    let path = "/tmp/inferscale-podres-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
