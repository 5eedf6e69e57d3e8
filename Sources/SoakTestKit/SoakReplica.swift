import AsyncHTTPClient
import AutoscalerCore
import ClusterAdapters
import Foundation
import Kubernetes
import Logging
import Rules
import Scaling
import Scraping

/// One inferscale replica of the soak, built as `inferscale run` builds it: its own Kubernetes client, the
/// real discovery with its pod and Deployment watches, the real scraper and scraping source, the real actuator,
/// a Lease elector, a rule reloader on the shared rule directory, and the `ControlLoop`. The soak drives its
/// scrape rounds and decide ticks on simulated time.
final class SoakReplica: Sendable {
    let name: String
    let loop: ControlLoop
    let slot: ElectorSlot
    let source: AuditedSource
    let reloader: RuleReloader
    private let client: KubernetesClient
    private let http: HTTPClient
    private let watching: Task<Void, Never>
    private let electorSettings: @Sendable () throws -> LeaderElector

    init(name: String, apiURL: String, rulesPath: String, initialRules: RuleSet, configuration c: SoakConfiguration,
         calls: ScaleCallLog, clock: SoakClock, logger: Logger) throws {
        self.name = name
        var kube = KubernetesClientConfiguration(server: apiURL)
        kube.timeouts.request = .milliseconds(Int64(c.apiTimeoutSeconds * 1000))
        let client = try KubernetesClient(configuration: kube, logger: logger)
        self.client = client
        let slot = ElectorSlot()
        self.slot = slot
        http = HTTPClient(eventLoopGroupProvider: .singleton)
        let discovery = KubernetesDiscovery(api: client, namespaces: ["soak"], refreshSeconds: 10, instance: name,
                                            now: { clock.date }, isLeader: { slot.isLeader }, logger: logger)
        var scraping = ScraperConfiguration()
        scraping.deadlineSeconds = c.scrapeDeadlineSeconds
        scraping.sampling = .all
        source = AuditedSource(inner: ScrapingMetricSource(scraper: Scraper(configuration: scraping, client: http, logger: logger)) { clock.seconds })
        let actuator = AuditedActuator(inner: KubernetesActuator(api: client, discovery: discovery, instance: name, logger: logger),
                                       instance: name, leadership: slot, log: calls)
        loop = ControlLoop(configuration: .init(), rules: initialRules, discovery: discovery, source: source, actuator: actuator,
                           leadership: slot, log: try DecisionLog(path: nil), logger: logger)
        let loop = self.loop
        reloader = RuleReloader(configuration: .init(paths: [rulesPath]), initial: initialRules) { action in
            if case .apply(let rules) = action { await loop.apply(rules: rules) }
        }
        electorSettings = {
            try LeaderElector(api: client, configuration: .init(identity: name, leaseDuration: c.leaseDurationSeconds,
                                                               renewDeadline: c.renewDeadlineSeconds, retryPeriod: c.retryPeriodSeconds),
                              namespace: "soak", leaseName: "inferscale-soak", logger: logger)
        }
        watching = Task { await discovery.watchPods() }
        slot.start(try electorSettings())
    }

    /// Releases the Lease and stops this replica's elector (a rolling update takes the pod away).
    func stopElector() async { await slot.stop() }

    /// Starts a new elector (the pod is back).
    func startElector() throws { slot.start(try electorSettings()) }

    /// Stops everything this replica runs; with the Lease released, as on SIGTERM.
    func stop() async {
        await loop.cancelScrapes()
        await slot.stop()
        watching.cancel()
        await watching.value
        try? await http.shutdown()
        try? await client.shutdown()
    }
}
