import Logging

/// Keeps the kubelet's GPU-to-pod answer for the agent: asks at most once per
/// ``Configuration/refreshInterval`` (one call in flight at a time, in the background once a first answer
/// is in), logs one line per change of condition, and never fails: a missing or refusing socket is a
/// ``GPUPodMapping/unavailable(_:)``.
public actor GPUPodMapper {
    /// Where the kubelet is and how often to ask it.
    public struct Configuration: Sendable {
        /// Whether to ask the kubelet at all. Default true; false labels nothing (a sidecar, or no kubelet).
        public var enabled: Bool = true
        /// The kubelet's pod-resources socket. Default `/var/lib/kubelet/pod-resources/kubelet.sock`.
        public var socketPath: String = PodResourcesClient.defaultSocketPath
        /// The shortest pause between two calls, failed ones included. Default 5 s: pods get or give up GPUs
        /// only when they start or stop, and a scrape every few seconds must not cost a call each.
        public var refreshInterval: Duration = .seconds(5)
        /// The longest one call may take. Default 2 s.
        public var timeout: Duration = .seconds(2)
        /// Resource-name prefixes taken as GPUs. Default `nvidia.com/`.
        public var resourcePrefixes: [String] = GPUAllocations.defaultResourcePrefixes

        /// The defaults above.
        public init() {}
    }

    /// The configuration in force.
    public nonisolated let configuration: Configuration
    private let logger: Logger
    private let client: PodResourcesClient
    private let clock = ContinuousClock()
    private var machine: PodResourcesStateMachine
    private var last: GPUPodMapping?
    private var inFlight: Task<GPUPodMapping, Never>?

    /// A mapper that asks the kubelet on the first ``mapping()``.
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.client = PodResourcesClient(socketPath: configuration.socketPath, timeout: configuration.timeout)
        self.machine = PodResourcesStateMachine(refreshInterval: configuration.refreshInterval)
    }

    /// The latest mapping. Only the first call waits for the kubelet (at most the timeout); later calls
    /// answer at once with the last result and, when it is older than the interval, start one call in the
    /// background, so that a slow kubelet never slows a scrape of the agent.
    public func mapping() async -> GPUPodMapping {
        guard configuration.enabled else { return .disabled }
        if let last {
            if inFlight == nil, machine.refreshRequested(now: clock.now) == .refresh { _ = refresh() }
            return last
        }
        if let inFlight { return await inFlight.value }
        _ = machine.refreshRequested(now: clock.now)
        return await refresh().value
    }

    /// Starts one call to the kubelet; its result becomes ``mapping()``'s answer when it arrives.
    private func refresh() -> Task<GPUPodMapping, Never> {
        let client = self.client
        let task = Task { () -> GPUPodMapping in
            let mapping: GPUPodMapping
            do throws(PodResourcesError) {
                mapping = .available(try await client.list())
            } catch {
                mapping = .unavailable(error)
            }
            self.finished(mapping)  // the task runs on this actor
            return mapping
        }
        inFlight = task
        return task
    }

    private func finished(_ mapping: GPUPodMapping) {
        inFlight = nil
        last = mapping
        switch mapping {
        case .available(let listing):
            if machine.refreshSucceeded() == .logAvailable {
                logger.info("GPU-to-pod mapping available from the kubelet",
                            metadata: ["inferscale.pod_resources.socket": "\(configuration.socketPath)",
                                       "inferscale.pod_resources.allocations": "\(listing.allocations.count)"])
            }
        case .unavailable(let error):
            if case .logUnavailable = machine.refreshFailed(error) { logger.error("\(error.description)") }
        case .disabled:
            break
        }
    }
}
