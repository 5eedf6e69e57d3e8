import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The GPU agent: serves every GPU's memory, utilisation and per-process memory as Prometheus metrics on
/// `GET /metrics`, meant to run as a DaemonSet (or a sidecar) that the scraper reads like any runtime.
///
/// A swift-service-lifecycle `Service`: ``run()`` returns on graceful shutdown, after which NVML is shut
/// down. NVML being unavailable is not an error here: `/metrics` then says `inferscale_gpu_nvml_up 0`;
/// nor is the kubelet's pod-resources socket: the GPU series are then labelled `allocation="unknown"`.
/// Other paths: `GET /healthz` answers 200 while the server runs; anything else is 404 (405 for methods
/// other than GET and HEAD).
public struct GPUAgent: Service {
    /// Where to listen and how to read NVML.
    public struct Configuration: Sendable {
        /// Address to bind. Default `0.0.0.0` (all IPv4 interfaces), as a DaemonSet's port is scraped by pod IP.
        public var host: String = "0.0.0.0"
        /// TCP port; 0 picks a free one (reported through `onListening`). Default 9401.
        public var port: Int = 9401
        /// NVML location, retry and caching.
        public var collector: GPUCollector.Configuration = GPUCollector.Configuration()
        /// The kubelet's pod-resources socket and how often to ask it which pods hold the GPUs.
        public var podResources: GPUPodMapper.Configuration = GPUPodMapper.Configuration()

        /// The defaults above.
        public init() {}
    }

    /// The configuration in force.
    public let configuration: Configuration
    /// The NVML session the agent reads; shared so that callers (e.g. `--once`) can read it too.
    public let collector: GPUCollector
    /// The GPU-to-pod mapping from the kubelet; shared so that callers (e.g. `--once`) can read it too.
    public let mapper: GPUPodMapper
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) async -> Void

    /// An agent that reads NVML through its own ``GPUCollector``.
    /// - Parameter onListening: called once the port is bound, with the bound address (useful with port 0).
    public init(configuration: Configuration, logger: Logger,
                onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.collector = GPUCollector(configuration: configuration.collector, logger: logger)
        self.mapper = GPUPodMapper(configuration: configuration.podResources, logger: logger)
        self.onListening = onListening
    }

    /// Binds, serves until graceful shutdown (or cancellation), then closes the listener, lets requests in
    /// progress finish and shuts NVML down.
    /// - Throws: `IOError` or `SocketAddressError` when the address cannot be bound.
    public func run() async throws {
        // Open NVML up front so that its state (or the one-line reason it is unavailable) is logged at start.
        async let mapping = mapper.mapping()
        let first = await collector.snapshot()
        _ = await mapping
        if let count = first.deviceCount {
            logger.info("NVML reports \(count) GPU(s)", metadata: ["inferscale.nvml.library": "\(configuration.collector.libraryPath)"])
        }
        do {
            try await serve()
        } catch {
            await collector.shutdown()
            throw error
        }
        await collector.shutdown()
    }

    private func serve() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        if let address = server.channel.localAddress {
            logger.info("serving GPU metrics on http://\(address.ipAddress ?? configuration.host):\(address.port ?? configuration.port)/metrics")
            await onListening(address)
        }
        // Graceful shutdown closes the listener, which ends the accept loop; the group then waits for the
        // connections, whose keep-alive loops end on the same signal.
        try await withThrowingDiscardingTaskGroup { group in
            try await withGracefulShutdownHandler {
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.handle(connection) }
                    }
                }
            } onGracefulShutdown: {
                server.channel.close(promise: nil)
            }
        }
    }

    /// Serves the requests of one connection (keep-alive) until the client closes it or the agent stops.
    private func handle(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await cancelWhenGracefulShutdown {
                    var head: HTTPRequestHead?
                    for try await part in inbound {
                        switch part {
                        case .head(let requestHead):
                            head = requestHead
                        case .body:
                            continue  // bodies are ignored, never buffered
                        case .end:
                            guard let request = head else { continue }
                            head = nil
                            try await respond(to: request, outbound)
                            if !request.isKeepAlive { return }
                        }
                    }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["inferscale.error": "\(error)"])
        }
    }

    private func respond(to request: HTTPRequestHead,
                         _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let status: HTTPResponseStatus
        let contentType: String
        let body: String
        if request.method != .GET && request.method != .HEAD {
            (status, contentType, body) = (.methodNotAllowed, "text/plain; charset=utf-8", "only GET and HEAD are served\n")
        } else if path == "/metrics" {
            async let mapping = mapper.mapping()
            let snapshot = await collector.snapshot()
            (status, contentType, body) = (.ok, GPUMetricsRenderer.contentType,
                                           GPUMetricsRenderer.render(snapshot, mapping: await mapping))
        } else if path == "/healthz" {
            (status, contentType, body) = (.ok, "text/plain; charset=utf-8", "ok\n")
        } else {
            (status, contentType, body) = (.notFound, "text/plain; charset=utf-8", "not found: try /metrics\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
        if request.method != .HEAD {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
        }
        try await outbound.write(.end(nil))
    }
}
