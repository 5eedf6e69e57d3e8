import ArgumentParser
import GPU
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// `inferscale agent`: serves this node's GPU memory, utilisation and per-process memory, read through
/// NVML, as Prometheus metrics on /metrics. Meant to run as a DaemonSet on GPU nodes (or as a sidecar).
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Serve this node's GPU memory (read through NVML) as Prometheus metrics on /metrics.",
        discussion: """
            NVML (libnvidia-ml.so.1, installed with the NVIDIA driver) is loaded at run time. Without it \
            the agent logs one line saying why, keeps serving, and /metrics reports \
            inferscale_gpu_nvml_up 0 with the reason; it retries every --retry-interval seconds.

            Which pods hold each GPU comes from the kubelet's pod-resources API (gRPC on \
            --pod-resources-socket, asked at most every --pod-resources-interval seconds): GPU series get \
            allocation, namespace, pod and container labels. Without the socket the agent logs one line, \
            labels the series allocation="unknown", reports inferscale_gpu_pod_resources_up 0 and keeps \
            asking; --no-pod-resources turns the mapping off (a sidecar, or a machine without a kubelet).

            SIGTERM or SIGINT stops it gracefully: the listener closes, requests in progress finish and \
            NVML is shut down. Metric names, units and labels: docs/gpu.md.

            Examples:
              inferscale agent                                  # 0.0.0.0:9401
              inferscale agent --once                           # print the metrics once and exit
              inferscale agent --once --no-pod-resources        # NVML only, outside Kubernetes
              inferscale agent --port 9500 --no-processes
            """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on.", valueName: "address"))
    var host: String = GPUAgent.Configuration().host

    @Option(name: .long, help: ArgumentHelp("TCP port to listen on; 0 picks a free one.", valueName: "port"))
    var port: Int = GPUAgent.Configuration().port

    @Option(name: .long, help: ArgumentHelp("NVML library: a soname for the dynamic loader or a file path.", valueName: "path"))
    var nvmlLibrary: String = NVMLLibrary.defaultPath

    @Option(name: .long, help: ArgumentHelp("Seconds between tries to open NVML after it failed.", valueName: "seconds"))
    var retryInterval: Double = 30

    @Option(name: .long, help: ArgumentHelp("Serve the last reading again if it is younger than this many seconds; 0 reads NVML on every scrape.", valueName: "seconds"))
    var minReadInterval: Double = 1

    @Option(name: .long, help: ArgumentHelp("At most this many GPUs are read.", valueName: "n"))
    var maxGpus: Int = GPUReader.Limits().devices

    @Option(name: .long, help: ArgumentHelp("At most this many processes are reported per GPU, largest first.", valueName: "n"))
    var maxProcesses: Int = GPUReader.Limits().processesPerDevice

    @Flag(name: .long, help: "Do not read per-process GPU memory.")
    var noProcesses = false

    @Option(name: .long, help: ArgumentHelp("The kubelet's pod-resources socket.", valueName: "path"))
    var podResourcesSocket: String = PodResourcesClient.defaultSocketPath

    @Option(name: .long, help: ArgumentHelp("Ask the kubelet which pods hold the GPUs at most this often, in seconds (1 or more).", valueName: "seconds"))
    var podResourcesInterval: Double = 5

    @Flag(name: .long, help: "Do not map GPUs to pods (no kubelet: a sidecar, or a machine outside Kubernetes).")
    var noPodResources = false

    @Flag(name: .long, help: "Read once, print the metrics to stdout and exit: 0 if NVML worked and (unless --no-pod-resources) the kubelet answered, 1 if not.")
    var once = false

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535, got \(port)") }
        guard retryInterval.isFinite, retryInterval >= 0 else { throw ValidationError("--retry-interval must be 0 or more seconds, got \(retryInterval)") }
        guard minReadInterval.isFinite, minReadInterval >= 0 else { throw ValidationError("--min-read-interval must be 0 or more seconds, got \(minReadInterval)") }
        guard maxGpus >= 1 else { throw ValidationError("--max-gpus must be 1 or more, got \(maxGpus)") }
        guard maxProcesses >= 0 else { throw ValidationError("--max-processes must be 0 or more, got \(maxProcesses)") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \(logLevel)")
        }
        guard !nvmlLibrary.isEmpty else { throw ValidationError("--nvml-library must not be empty") }
        guard podResourcesInterval.isFinite, podResourcesInterval >= 1 else {
            throw ValidationError("--pod-resources-interval must be 1 or more seconds (the kubelet is asked at most that often), got \(podResourcesInterval)")
        }
        guard !podResourcesSocket.isEmpty else { throw ValidationError("--pod-resources-socket must not be empty") }
    }

    /// The agent's configuration from the flags.
    var agentConfiguration: GPUAgent.Configuration {
        var configuration = GPUAgent.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.collector.libraryPath = nvmlLibrary
        configuration.collector.retryInterval = .milliseconds(Int64((retryInterval * 1000).rounded()))
        configuration.collector.minimumReadInterval = .milliseconds(Int64((minReadInterval * 1000).rounded()))
        configuration.collector.limits.devices = maxGpus
        configuration.collector.limits.processesPerDevice = maxProcesses
        configuration.collector.limits.readProcesses = !noProcesses
        configuration.podResources.enabled = !noPodResources
        configuration.podResources.socketPath = podResourcesSocket
        configuration.podResources.refreshInterval = .milliseconds(Int64((podResourcesInterval * 1000).rounded()))
        return configuration
    }

    func run() async throws {
        var logger = Logger(label: "inferscale.agent") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let configuration = agentConfiguration

        if once {
            let collector = GPUCollector(configuration: configuration.collector, logger: logger)
            let mapper = GPUPodMapper(configuration: configuration.podResources, logger: logger)
            async let mapping = mapper.mapping()
            let snapshot = await collector.snapshot()
            await collector.shutdown()
            let podMapping = await mapping
            writeAll(GPUMetricsRenderer.render(snapshot, mapping: podMapping), to: 1)
            // Each reason is already on stderr (one line); the status lets a script on a GPU node check both.
            if case .unavailable = podMapping { Glibc.exit(1) }
            if !snapshot.isNVMLUp { Glibc.exit(1) }
            return
        }

        let agent = GPUAgent(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            services: [agent],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        do {
            try await group.run()
        } catch {
            // A port in use or an address not on this machine: say which, and exit 1.
            printError("error: agent cannot serve on \(host):\(port): \(error)")
            Glibc.exit(1)
        }
    }
}
