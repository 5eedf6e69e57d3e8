import ArgumentParser
import AsyncHTTPClient
import AutoscalerCore
import ClusterAdapters
import Foundation
import Kubernetes
import Logging
import Metrics
import Prometheus
import RemoteWrite
import Rules
import Scaling
import Scraping
import ServiceLifecycle

/// `inferscale run`: the autoscaler in the cluster.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the autoscaler: discover targets, scrape, decide and scale.",
        discussion: """
            Every second it scrapes the ready pods of each target (what KServe hands over in the watched \
            namespaces: InferenceServices with serving.kserve.io/autoscalerClass: external and the \
            workloads of LLMInferenceServices without spec.replicas or spec.scaling; and Deployments that \
            rules name; anything an HPA or ScaledObject also scales is left alone, with the reason in the \
            log, an Event and /debug/targets — `inferscale check` lists them); every two seconds it decides each \
            target's replicas under its rule and, as leader, patches the Deployment's scale subresource. \
            Rules are reloaded when the files change; an invalid file is rejected and the last good rules \
            stay. SIGTERM cancels the scrapes in flight, releases the leader lease and exits within a few \
            seconds.

            Endpoints on --http-port: /healthz, /readyz, /metrics. POST /push on --push-port and the \
            Knative activator's stats websocket on --activator-port take load only with \
            Authorization: Bearer TOKEN, a token of --push-token-file (without that file every push is \
            refused with 401). /debug/targets and /debug/decisions?target=NS/NAME are served only on \
            --debug-port, bound to 127.0.0.1 (kubectl port-forward reaches it).

            GPU memory: the ready pods of the GPU agent DaemonSet (--gpu-agent-namespace, --gpu-agent-selector) \
            and of NVIDIA's dcgm-exporter (--dcgm-exporter-namespace, --dcgm-exporter-selector) are read once \
            per scrape round, and each target gets the GPU memory of its own ready pods, joined by namespace \
            and pod (gpu-memory-utilization: the highest GPU's share; the guards.gpuMemoryCeiling guard reads \
            it per pod). A namespace of "" turns that source off (docs/gpu.md).

            Knative mode is on when the cluster serves Knative's PodAutoscaler resource (API discovery at \
            start; --knative or --no-knative decide instead): inferscale is a Knative PodAutoscaler class, \
            and every PodAutoscaler annotated autoscaling.knative.dev/class: inferscale.dev (or without the \
            annotation, when config-autoscaler's pod-autoscaler-class is inferscale.dev) is reconciled as \
            Knative's KPA would (its ServerlessService in Proxy or Serve mode, its status, its Deployment's \
            replicas, Events on the PodAutoscaler); the activator's pods (--activator-namespace) and any \
            --activator-metrics URLs are polled every second, so a request at zero scales the revision up; \
            and Knative's config-autoscaler ConfigMap (--autoscaler-config) is watched and applied when it \
            changes, beneath the --config flags.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Rule files or directories (a mounted ConfigMap works).", valueName: "path"))
    var rules: [String] = ["/etc/inferscale/rules"]

    @Option(name: .customLong("namespace"), help: ArgumentHelp("A namespace to watch (repeatable; default: $INFERSCALE_NAMESPACES, comma-separated, else default).", valueName: "name"))
    var namespaceOptions: [String] = []

    /// The namespaces to watch.
    var namespaces: [String] {
        if !namespaceOptions.isEmpty { return namespaceOptions }
        let fromEnvironment = (ProcessInfo.processInfo.environment["INFERSCALE_NAMESPACES"] ?? "")
            .split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return fromEnvironment.isEmpty ? ["default"] : fromEnvironment
    }

    @Option(name: .long, help: ArgumentHelp("Kubeconfig file (default: in-cluster service account, else $KUBECONFIG).", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("Kubeconfig context.", valueName: "name"))
    var context: String?

    @Option(name: .long, help: ArgumentHelp("Address to serve HTTP on.", valueName: "host"))
    var httpHost: String = "0.0.0.0"

    @Option(name: .long, help: ArgumentHelp("Port of the HTTP endpoints.", valueName: "port"))
    var httpPort: Int = 8080

    @Option(name: .long, help: ArgumentHelp("Port of the activator stats websocket (0: off).", valueName: "port"))
    var activatorPort: Int = 8081

    @Option(name: .long, help: ArgumentHelp("Port of POST /push, on --http-host (0: off).", valueName: "port"))
    var pushPort: Int = 8082

    @Option(name: .long, help: ArgumentHelp("Bearer tokens that /push and the activator websocket accept, one per line (a mounted Secret; re-read when it changes). Without it every push is refused.", valueName: "file"))
    var pushTokenFile: String?

    @Option(name: .long, help: ArgumentHelp("Pushes per second one source (IP address) may make on /push and the websocket together, on average.", valueName: "n"))
    var pushRate: Double = 10

    @Option(name: .long, help: ArgumentHelp("Pushes one source may make at once before --push-rate applies.", valueName: "n"))
    var pushBurst: Double = 20

    @Option(name: .long, help: ArgumentHelp("Port of /debug/targets and /debug/decisions, on 127.0.0.1 only (0: off).", valueName: "port"))
    var debugPort: Int = 0

    @Flag(name: .long, help: "Decide, log and export, but never patch.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Append one JSON line per change of desired scale to this file.", valueName: "file"))
    var decisionLog: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "Elect one leader among replicas through a Lease; only the leader patches.")
    var leaderElection = true

    @Option(name: .long, help: ArgumentHelp("Lease name for leader election.", valueName: "name"))
    var leaseName: String = "inferscale"

    @Option(name: .long, help: ArgumentHelp("Shard the targets over N Leases (<lease-name>-shard-0 … N-1) among the replicas: each holds a fair share of them and scrapes, decides and patches only their targets (1: one leader Lease, <lease-name>; at most 64; every replica must use the same N).", valueName: "n"))
    var shards: Int = 1

    @Option(name: .long, help: ArgumentHelp("Lease namespace (default: $POD_NAMESPACE, else the first --namespace).", valueName: "name"))
    var leaseNamespace: String?

    @Option(name: .long, help: ArgumentHelp("Seconds a leader's Lease lasts without renewal (default 15, as client-go); the renew deadline is 2/3 of it and the retry period 2/15.", valueName: "seconds"))
    var leaseDuration: Double = 15

    @Option(name: .long, help: ArgumentHelp("This instance's identity (default: $POD_NAME, else the host name).", valueName: "id"))
    var identity: String?

    @Option(name: .long, help: ArgumentHelp("host:port where other instances reach this one's /push when it leads (default: $POD_IP and --push-port; none: pushes to a follower are not forwarded).", valueName: "host:port"))
    var advertiseAddress: String?

    @Option(name: .long, help: ArgumentHelp("Push inferscale's own metrics to this Prometheus remote-write URL.", valueName: "url"))
    var remoteWrite: String?

    @Option(name: .long, help: ArgumentHelp("Seconds between remote-write pushes of our own metrics.", valueName: "seconds"))
    var remoteWriteInterval: Double = 15

    @Flag(name: .long, help: "Scrape every ready pod instead of Knative's sample.")
    var scrapeAllPods = false

    @Option(name: .long, help: ArgumentHelp("Seconds between scrape rounds (default 1, as Knative; 1–60: windows have one-second buckets). A second no round sampled is no data to the windows, not zero load. A scrape waits up to one interval for a free slot (\(ScraperConfiguration().maxInFlight) in flight), then has its \(ScraperConfiguration().deadlineSeconds.formatted()) s deadline.", valueName: "seconds"))
    var scrapeInterval: Double = 1

    @Option(name: .long, help: ArgumentHelp("Seconds an idle connection to a pod stays open for the next scrape (default 3: reused at intervals up to 2 s; closed between rounds at longer ones, so a large fleet does not hold one socket per pod; 0.1–300).", valueName: "seconds"))
    var scrapeIdleTimeout: Double = PodConnectionPool().idleTimeout

    @Option(name: .customLong("config"), parsing: .singleValue,
            help: ArgumentHelp("A config-autoscaler key, e.g. stable-window=90s (repeatable).", valueName: "key=value"))
    var configValues: [String] = []

    @Flag(name: .long, inversion: .prefixedNo,
          help: "Reconcile Knative PodAutoscalers of class inferscale.dev (autoscaling.knative.dev/class): own their ServerlessServices, write their status, scale the revisions (docs/knative.md). Default: on when the cluster serves autoscaling.internal.knative.dev/v1alpha1 podautoscalers.")
    var knative: Bool?

    @Option(name: .long, help: ArgumentHelp("In Knative mode: Knative's config-autoscaler ConfigMap as NAMESPACE/NAME, watched and applied beneath --config (\"\" not to read it).", valueName: "ns/name"))
    var autoscalerConfig: String = "knative-serving/config-autoscaler"

    @Option(name: .long, help: ArgumentHelp("With --knative: a Knative activator's metrics URL to poll every second for kn_revision_request_concurrency (repeatable; summed).", valueName: "url"))
    var activatorMetrics: [String] = []

    @Option(name: .long, help: ArgumentHelp("With --knative: the namespace of Knative's activator; its ready pods (app=activator) are polled at :9090/metrics every second (default knative-serving; \"\" for none).", valueName: "name"))
    var activatorNamespace: String = "knative-serving"

    @Option(name: .long, help: ArgumentHelp("Namespace of the GPU agent DaemonSet's pods (deploy/gpu-agent), scraped each round for the GPU memory of the pods on their nodes (\"\" for none).", valueName: "name"))
    var gpuAgentNamespace: String = GPUExporterPods.Configuration.Source.agent.namespace

    @Option(name: .long, help: ArgumentHelp("Label selector of the GPU agent's pods.", valueName: "selector"))
    var gpuAgentSelector: String = GPUExporterPods.Configuration.Source.agent.labelSelector

    @Option(name: .long, help: ArgumentHelp("Port of the GPU agent's /metrics.", valueName: "port"))
    var gpuAgentPort: Int = GPUExporterPods.Configuration.Source.agent.port

    @Option(name: .long, help: ArgumentHelp("Namespace of NVIDIA dcgm-exporter's pods (the GPU Operator's), scraped each round for DCGM_FI_DEV_FB_* with their pod labels (\"\" for none).", valueName: "name"))
    var dcgmExporterNamespace: String = GPUExporterPods.Configuration.Source.dcgmExporter.namespace

    @Option(name: .long, help: ArgumentHelp("Label selector of dcgm-exporter's pods.", valueName: "selector"))
    var dcgmExporterSelector: String = GPUExporterPods.Configuration.Source.dcgmExporter.labelSelector

    @Option(name: .long, help: ArgumentHelp("Port of dcgm-exporter's /metrics.", valueName: "port"))
    var dcgmExporterPort: Int = GPUExporterPods.Configuration.Source.dcgmExporter.port

    /// The node GPU exporters to discover, from the flags.
    var gpuExporterSources: [GPUExporterPods.Configuration.Source] {
        var sources: [GPUExporterPods.Configuration.Source] = []
        if !gpuAgentNamespace.isEmpty {
            sources.append(.init(kind: .agent, namespace: gpuAgentNamespace, labelSelector: gpuAgentSelector, port: gpuAgentPort))
        }
        if !dcgmExporterNamespace.isEmpty {
            sources.append(.init(kind: .dcgmExporter, namespace: dcgmExporterNamespace, labelSelector: dcgmExporterSelector, port: dcgmExporterPort))
        }
        return sources
    }

    func validate() throws {
        if !(remoteWriteInterval >= 1) { throw ValidationError("--remote-write-interval must be at least 1 second") }
        if !(leaseDuration >= 1 && leaseDuration <= 3600) { throw ValidationError("--lease-duration must be between 1 and 3600 seconds") }
        if !(1...64).contains(shards) { throw ValidationError("--shards must be between 1 and 64, got \(shards)") }
        if shards > 1 && !leaderElection {
            throw ValidationError("--shards \(shards) needs leader election (the shards are Leases): drop --no-leader-election, or use --shards 1")
        }
        if !(scrapeInterval >= 1 && scrapeInterval <= 60) { throw ValidationError("--scrape-interval must be between 1 and 60 seconds") }
        if !PodConnectionPool.idleTimeoutRange.contains(scrapeIdleTimeout) { throw ValidationError("--scrape-idle-timeout must be between 0.1 and 300 seconds") }
        for port in [httpPort, activatorPort, pushPort, debugPort] where !(0...65535).contains(port) {
            throw ValidationError("ports must be between 0 and 65535, got \(port)")
        }
        for (flag, port) in [("--gpu-agent-port", gpuAgentPort), ("--dcgm-exporter-port", dcgmExporterPort)] where !(1...65535).contains(port) {
            throw ValidationError("\(flag) must be between 1 and 65535, got \(port)")
        }
        for (flag, selector) in [("--gpu-agent-selector", gpuAgentSelector), ("--dcgm-exporter-selector", dcgmExporterSelector)]
        where selector.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("\(flag) must not be empty (it would select every pod of the namespace); set the namespace to \"\" to turn the source off")
        }
        let fixed = [httpPort, activatorPort, pushPort, debugPort].filter { $0 != 0 }
        if Set(fixed).count != fixed.count {
            throw ValidationError("--http-port, --activator-port, --push-port and --debug-port must differ (each serves its own endpoints)")
        }
        if !(pushRate > 0 && pushRate.isFinite) { throw ValidationError("--push-rate must be above 0") }
        if !(pushBurst >= 1 && pushBurst.isFinite) { throw ValidationError("--push-burst must be at least 1") }
        if !autoscalerConfig.isEmpty, autoscalerConfigLocation == nil {
            throw ValidationError("--autoscaler-config must be NAMESPACE/NAME, e.g. knative-serving/config-autoscaler, or \"\"")
        }
    }

    /// --autoscaler-config split into namespace and name; nil when empty or malformed.
    var autoscalerConfigLocation: (namespace: String, name: String)? {
        let parts = autoscalerConfig.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (parts[0], parts[1])
    }

    /// The endpoint written to the Lease when leading: --advertise-address, else $POD_IP with
    /// --push-port, else none.
    func advertised(_ env: [String: String]) -> String? {
        if let advertiseAddress { return advertiseAddress }
        guard pushPort != 0, let ip = env["POD_IP"], !ip.isEmpty else { return nil }
        return ip.contains(":") ? "[\(ip)]:\(pushPort)" : "\(ip):\(pushPort)"
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let logger = Logger(label: "inferscale")
        if let files = OpenFileLimit.raiseSoftToHard(), files.after != files.before {
            logger.info("raised the open-file limit from \(files.before) to \(files.after) (the hard limit)")
        }
        // Partitioned: swift-prometheus's registry alone costs O(N²) to register N targets' series.
        let registry = PartitionedMetricsRegistry()
        MetricsSystem.bootstrap(registry.factory)

        var clusterConfig = AutoscalerConfig()
        var overrides: [(String, String)] = []
        do {
            for pair in configValues {
                guard let eq = pair.firstIndex(of: "=") else { throw InputError(message: "--config \(pair): expected key=value") }
                overrides.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
                try clusterConfig.set(overrides.last!.0, overrides.last!.1)
            }
            try clusterConfig.validate()
        } catch let error as ConfigurationError {
            throw InputError(message: error.description)
        }

        let initialRules: RuleSet
        do {
            initialRules = try RuleFiles.load(paths: rules)
        } catch {
            throw InputError(message: "the rules are not valid; nothing was started:\n\(error)")
        }

        let tokens: PushTokenFile?
        if let pushTokenFile {
            do {
                tokens = try PushTokenFile(path: pushTokenFile)
            } catch {
                throw InputError(message: "--push-token-file: \(error); nothing was started")
            }
        } else {
            tokens = nil
        }
        var rate = PushRateLimiter.Configuration()
        rate.perSecond = pushRate
        rate.burst = pushBurst
        let gate = PushGate(tokens: tokens, rate: rate)

        let kubeConfiguration = try KubernetesConnection.configuration(kubeconfig: kubeconfig, context: context, environment: env)
        let api = try KubernetesClient(configuration: kubeConfiguration)
        // The scraper's pod client (small receive buffers, no tracing) with the pool's idle timeout.
        var pool = PodConnectionPool()
        pool.idleTimeout = scrapeIdleTimeout
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: pool.httpConfiguration)

        let me = identity ?? env["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        let election = LeaderElectionStateMachine.Configuration(identity: me, leaseDuration: leaseDuration, renewDeadline: leaseDuration * 2 / 3,
                                                               retryPeriod: leaseDuration * 2 / 15, endpoint: advertised(env))
        let electionNamespace = leaseNamespace ?? env["POD_NAMESPACE"] ?? namespaces[0]
        let elector: LeaderElector? = leaderElection && shards == 1
            ? try LeaderElector(api: api, configuration: election, namespace: electionNamespace, leaseName: leaseName)
            : nil
        // With shards, each replica holds some of the shard Leases and acts only on their targets.
        let sharding: ShardElector? = leaderElection && shards > 1
            ? try ShardElector(api: api, configuration: .init(shards: shards, leaseName: leaseName, election: election), namespace: electionNamespace)
            : nil
        let leadership: any Leadership = sharding ?? elector.map { $0 as Leadership } ?? SoleLeader()
        let ruleSnapshot = RuleSnapshot(initialRules)
        let discovery = KubernetesDiscovery(api: api, namespaces: namespaces, namedDeployments: {
            await ruleSnapshot.current.namedDeployments
        }, instance: identity ?? env["POD_NAME"], isLeader: { await leadership.isLeader }, leadsTarget: { sharding?.holds(target: $0) ?? true })
        var scraperConfiguration = ScraperConfiguration()
        if scrapeAllPods { scraperConfiguration.sampling = .all }
        // The lean pod client keeps its idle connections as long as async-http-client's pool does (https pods).
        scraperConfiguration.idleConnectionSeconds = scrapeIdleTimeout
        // A round may spend its interval waiting for slots, each scrape then with its full deadline: a fleet with more
        // pods than one deadline's worth of scrapes is read within interval + deadline, and a target still in flight at
        // the next round is skipped (and counted) by the loop, so rounds do not pile up.
        scraperConfiguration.slotWaitSeconds = scrapeInterval
        let scraper = Scraper(configuration: scraperConfiguration, client: http)
        let started = ContinuousClock.now
        let book = PodWorkBook()
        let exporterPods = GPUExporterPods(api: api, configuration: .init(sources: gpuExporterSources))
        let gpu = gpuExporterSources.isEmpty ? nil : GPUMemoryFeed(scraper: scraper) { await exporterPods.exporters() }
        let source = ScrapingMetricSource(scraper: scraper, book: book, gpu: gpu) { (ContinuousClock.now - started).seconds }

        let kubernetesActuator = KubernetesActuator(api: api, discovery: discovery, instance: me, book: book)
        let knativeMode = await KnativeMode.decide(flag: knative, api: api, logger: logger)
        if knativeMode && shards > 1 {
            try? await http.shutdown()
            try? await api.shutdown()
            throw InputError(message: "--shards \(shards) is not supported in Knative mode (PodAutoscaler status and ServerlessServices are written by one leader); run with --shards 1, or --no-knative")
        }
        let revisions = knativeMode
            ? KnativePodAutoscalers(api: api, namespaces: namespaces, configuration: .init(autoscalerConfig: clusterConfig), instance: me)
            : nil
        let loop = ControlLoop(
            configuration: .init(dryRun: dryRun, autoscalerConfig: clusterConfig), rules: initialRules,
            discovery: revisions.map { CombinedDiscovery([$0, discovery]) } ?? sharding.map { ShardedDiscovery(discovery, shards: $0) } ?? discovery,
            source: source, actuator: revisions.map { KnativeRoutingActuator(knative: $0, other: kubernetesActuator) } ?? kubernetesActuator,
            leadership: leadership, log: try DecisionLog(path: decisionLog))

        // A follower sends pushed load on to the leader (whose Lease says where it listens), and with shards
        // each target's load goes to the holder of its shard, with the same token; without a token there is
        // nothing to forward.
        let forwarder: PushForwarder? = if let sharding, let tokens {
            PushForwarder(shards: sharding, client: http, tokens: tokens, logger: logger)
        } else if let elector, let tokens {
            PushForwarder(elector: elector, client: http, tokens: tokens, logger: logger)
        } else {
            nil
        }
        var elsewhere: (@Sendable (String) -> Bool)?
        if let sharding { elsewhere = { key in sharding.heldElsewhere(target: key) } }
        let endpoints = Endpoints(loop: loop, ready: { await loop.hasDiscovered }, metrics: { registry.emitToBuffer() }, now: wallClockNow,
                                  gate: gate, forward: forwarder.map { f in { @Sendable loads in f.forward(loads) } }, elsewhere: elsewhere)
        let server = try await HTTPServer(host: httpHost, port: httpPort) { await endpoints.handle($0, serving: [.health, .metrics]) }
        var services: [any Service] = [server, ControlLoopService(loop: loop, now: wallClockNow,
                                                                  scrapeInterval: .milliseconds(Int64(scrapeInterval * 1000)))]
        if pushPort != 0 {
            services.append(try await HTTPServer(host: httpHost, port: pushPort) { await endpoints.handle($0, serving: [.health, .push]) })
        }
        if debugPort != 0 {
            // Loopback only: target state and decision inputs are for operators, through port-forward.
            services.append(try await HTTPServer(host: "127.0.0.1", port: debugPort) { await endpoints.handle($0, serving: [.debug]) })
        }
        if activatorPort != 0 {
            services.append(try await ActivatorStatsServer(host: httpHost, port: activatorPort, gate: gate) { batch in
                var forwardable: [Endpoints.Load] = []
                for item in batch {
                    let load = Endpoints.Load(target: "\(item.namespace)/\(item.name)", concurrency: item.stat.averageConcurrentRequests,
                                              rps: item.stat.requestsPerSecond)
                    do throws(PushError) {
                        try await loop.push(target: load.target, concurrency: load.concurrency, rps: load.rps ?? 0, at: wallClockNow())
                        forwardable.append(load)
                    } catch {
                        switch error {
                        case .overCeiling: gate.count(.overCeiling, at: .activator)
                        case .invalid: gate.count(.invalid, at: .activator)
                        // The leader may know a target this instance has not discovered yet.
                        case .unknownTarget: forwardable.append(load)
                        }
                    }
                }
                forwarder?.forward(forwardable)
            })
        }
        if let tokens {
            services.append(TaskService(name: "push-token-watch") {
                while !Task.isCancelled {
                    tokens.refresh()
                    if let failure = tokens.takeReloadFailure() { logger.error("\(failure)") }
                    try? await Task.sleep(for: .seconds(10))
                }
            })
        } else if pushPort != 0 || activatorPort != 0 {
            logger.warning("no --push-token-file: /push and the activator websocket refuse every report (401); targets at zero cannot be woken by pushes")
        }
        services.append(TaskService(name: "pod-watch") { await discovery.watchPods() })
        if let revisions {
            services.append(TaskService(name: "knative-pod-watch") { await revisions.watchPods() })
            if let location = autoscalerConfigLocation {
                let watcher = KnativeAutoscalerConfigWatcher(
                    api: api, configuration: .init(namespace: location.namespace, name: location.name, overrides: overrides))
                services.append(TaskService(name: "knative-config-watch") {
                    await watcher.run { config in
                        await revisions.apply(autoscalerConfig: config)
                        await loop.apply(autoscalerConfig: config)
                    }
                })
            }
            // Only the leader writes PodAutoscaler status and ServerlessServices, as only it scales.
            services.append(TaskService(name: "knative-status") {
                await revisions.runStatusLoop(loop, isLeader: { await (elector.map { $0 as Leadership } ?? SoleLeader()).isLeader && !dryRun })
            })
            if !activatorMetrics.isEmpty || !activatorNamespace.isEmpty {
                var discover: (@Sendable () async -> [String])?
                if !activatorNamespace.isEmpty {
                    let pods = ActivatorPods(api: api, namespace: activatorNamespace)
                    discover = { await pods.urls() }
                }
                let poller = ActivatorMetricsPoller(configuration: .init(urls: activatorMetrics), client: http, revisions: revisions, loop: loop,
                                                    discover: discover)
                services.append(TaskService(name: "activator-metrics") { await poller.run(now: wallClockNow) })
            }
        }
        let reloader = RuleReloader(configuration: .init(paths: rules), initial: initialRules) { action in
            switch action {
            case .apply(let set):
                await ruleSnapshot.set(set)
                await loop.apply(rules: set)
                Counter(label: "inferscale_rule_reloads_total", dimensions: [("outcome", "applied")]).increment()
                logger.info("rules reloaded", metadata: ["inferscale.rules": "\(set.rules.count)"])
            case .reject(let errors):
                Counter(label: "inferscale_rule_reloads_total", dimensions: [("outcome", "rejected")]).increment()
                logger.error("new rules rejected; the last good rules stay", metadata: ["inferscale.error": "\(errors)"])
            case .unchanged:
                break
            }
        }
        services.append(TaskService(name: "rule-reload") { await reloader.run() })
        if let remoteWrite {
            let writer: RemoteWriter
            do {
                writer = try RemoteWriter(configuration: RemoteWriteConfiguration(url: remoteWrite), logger: logger)
            } catch {
                throw InputError(message: "--remote-write: \(error)")
            }
            services.append(writer)
            services.append(SelfMetricsPusher(writer: writer, render: { registry.emitToBuffer() }, interval: .milliseconds(Int64(remoteWriteInterval * 1000)),
                                              nowMilliseconds: { wallClockNow().nanoseconds / 1_000_000 }))
        }
        if let elector {
            services.append(TaskService(name: "leader-election", onShutdown: { elector.requestShutdown() }) { await elector.run() })
        }
        if let sharding {
            let held = Gauge(label: "inferscale_shards_held")
            held.record(0)
            Gauge(label: "inferscale_shards").record(Double(shards))
            services.append(TaskService(name: "sharding", onShutdown: { sharding.requestShutdown() }) {
                await sharding.run { _, _ in held.record(Double(sharding.heldShards.count)) }
            })
        }
        logger.info("inferscale running", metadata: [
            "inferscale.http": "\(httpHost):\(server.port)", "inferscale.push_port": "\(pushPort)",
            "inferscale.push_auth": "\(tokens == nil ? "none configured: pushes refused" : "bearer token file")", "inferscale.namespaces": "\(namespaces.joined(separator: ","))",
            "inferscale.dry_run": "\(dryRun)", "inferscale.identity": "\(me)", "inferscale.shards": "\(shards)",
        ])
        var groupConfiguration = ServiceGroupConfiguration(services: services.map { .init(service: $0) },
                                                           gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // SIGTERM ends the process within a few seconds whatever the pods or the API do: what
        // has not stopped gracefully by then is cancelled.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(5)
        groupConfiguration.maximumCancellationDuration = .seconds(2)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            scraper.closeIdleConnections()
            try? await http.shutdown()
            try? await api.shutdown()
            throw error
        }
        // The lean client's kept-alive pod connections, closed like async-http-client's at shutdown.
        scraper.closeIdleConnections()
        try? await http.shutdown()
        try? await api.shutdown()
    }
}

/// The rules in force, shared by the reloader and discovery.
actor RuleSnapshot {
    private(set) var current: RuleSet
    init(_ initial: RuleSet) { current = initial }
    func set(_ new: RuleSet) { current = new }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
