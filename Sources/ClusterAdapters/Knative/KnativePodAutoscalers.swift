import AutoscalerCore
import Foundation
import Kubernetes
import Logging
import Rules
import Scaling

/// inferscale as a Knative PodAutoscaler class: for every PA of inferscale's class
/// (`autoscaling.knative.dev/class: inferscale.dev`) in the watched namespaces, it hands the revision's
/// Deployment to the control loop as a target (the PA's annotations are the revision's, so min-scale,
/// target, window, … apply, and rules on top), scales it through `/scale`, and after each tick does what
/// Knative's KPA reconciler does: owns the PA's ServerlessService, switching it between `Proxy` and `Serve`,
/// and writes the PA's status so the Revision becomes Ready (see `PodAutoscalerReconciler`).
///
/// PAs of any other class are never read past their class, let alone written. A PA inferscale cannot serve
/// (an invalid annotation, a missing Deployment) gets `Ready=False` with the reason, and nothing else.
public actor KnativePodAutoscalers: TargetDiscovery, ScaleActuator {
    /// Settings.
    public struct Configuration: Sendable {
        /// The PA class inferscale reconciles. Default `inferscale.dev`.
        public var podAutoscalerClass = RevisionAnnotations.inferscaleClass
        /// Seconds between PA lists. Default 1 (a new revision's PA is picked up within a scrape tick).
        public var refreshSeconds: Double = 1
        /// The cluster's `config-autoscaler` settings beneath each revision's annotations.
        public var autoscalerConfig = AutoscalerConfig()

        /// Creates settings.
        public init(podAutoscalerClass: String = RevisionAnnotations.inferscaleClass, refreshSeconds: Double = 1,
                    autoscalerConfig: AutoscalerConfig = AutoscalerConfig()) {
            self.podAutoscalerClass = podAutoscalerClass
            self.refreshSeconds = refreshSeconds
            self.autoscalerConfig = autoscalerConfig
        }
    }

    private struct Known {
        var pa: PodAutoscaler
        var description: TargetDescription
        var selector: [(String, String, Bool)]
        var replicas: Int
        var problem: PodAutoscalerReconciler.Problem?
        var settings: PodAutoscalerReconciler.Settings
        var policy: KPAPolicy?
    }

    private let api: any KubernetesAPI
    private let namespaces: [String]
    private var configuration: Configuration
    private let updater: ScaleUpdater
    private let events: ScalingEventRecorder
    /// Warnings on PAs (a problem, a failed write), once per change and at most one per PA every 5 minutes.
    private let warnings: OwnershipEventRecorder
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var known: [String: Known] = [:]
    private var pods: [String: PodIndex] = [:]
    /// The SKS mode last confirmed by the API, per target key: scale to zero waits for `Proxy`.
    private var sksMode: [String: String] = [:]
    private var lastRefresh: Date?
    private var knativeMissing: Set<String> = []

    /// Creates the adapter.
    public init(api: any KubernetesAPI, namespaces: [String], configuration: Configuration = Configuration(), instance: String? = nil,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "inferscale.knative")) {
        self.api = api
        self.namespaces = namespaces
        self.configuration = configuration
        updater = ScaleUpdater(api: api)
        events = ScalingEventRecorder(api: api, instance: instance, now: now)
        warnings = OwnershipEventRecorder(api: api, instance: instance, now: now, logger: logger)
        self.now = now
        self.logger = logger
    }

    /// Puts new cluster settings (a reloaded `config-autoscaler`) in force from the next refresh; its
    /// `pod-autoscaler-class` decides whose a PA without the class annotation is.
    public func apply(autoscalerConfig: AutoscalerConfig) {
        configuration.autoscalerConfig = autoscalerConfig
        lastRefresh = nil
    }

    /// Watches pods in every namespace until cancelled.
    public func watchPods() async {
        await withTaskGroup(of: Void.self) { group in
            for namespace in namespaces {
                let watcher = PodWatcher(api: api, namespace: namespace, labelSelector: nil)
                group.addTask { await watcher.run { update in await self.applyPods(namespace, update) } }
            }
        }
    }

    private func applyPods(_ namespace: String, _ update: PodSetUpdate) { pods[namespace, default: PodIndex()].apply(update) }

    /// Whether `key` is a target of this adapter.
    public func owns(_ key: String) -> Bool { known[key] != nil }

    /// The revision (PA name) of each target key, for load reported per revision.
    public func targetKey(namespace: String, revision: String) -> String? {
        known.first { $0.value.pa.metadata.namespace == namespace && $0.value.pa.metadata.name == revision }?.key
    }

    // MARK: TargetDiscovery

    public func targets() async throws -> [DiscoveredTarget] {
        if lastRefresh.map({ now().timeIntervalSince($0) >= configuration.refreshSeconds }) ?? true {
            try await refresh()
        }
        return known.keys.sorted().compactMap { key in
            guard let k = known[key] else { return nil }
            let control: TargetControl = k.problem.map { .skipped(reason: "\($0.reason): \($0.message)") } ?? .owned
            let matching = matchingPods(k)
            var description = k.description
            if let labels = matching.first?.labels { description.labels = labels }
            return DiscoveredTarget(description: description, pods: matching.map(\.info), replicas: k.replicas, control: control)
        }
    }

    private func matchingPods(_ k: Known) -> [PodIndex.Entry] {
        guard k.problem == nil else { return [] }
        return pods[k.description.namespace]?.matching(k.selector) ?? []
    }

    private func refresh() async throws {
        var next: [String: Known] = [:]
        for namespace in namespaces {
            let list: [PodAutoscaler]
            do {
                list = try await api.listPodAutoscalers(namespace: namespace).items
                knativeMissing.remove(namespace)
            } catch let error as KubernetesError where error.code == .notFound {
                if knativeMissing.insert(namespace).inserted {
                    logger.warning("Knative Serving's PodAutoscaler resource is not installed; no revisions to scale",
                                   metadata: ["inferscale.namespace": "\(namespace)"])
                }
                continue
            }
            let clusterDefault = configuration.autoscalerConfig.podAutoscalerClass
            for pa in list where pa.autoscalerClass(clusterDefault: clusterDefault) == configuration.podAutoscalerClass
                && pa.metadata.deletionTimestamp == nil
            {
                let k = try await inspect(pa, namespace: namespace)
                next[k.description.key] = k
            }
        }
        for key in sksMode.keys where next[key] == nil { sksMode[key] = nil }
        known = next
        lastRefresh = now()
    }

    /// Reads the revision's settings and Deployment; what is wrong becomes the PA's `Problem`.
    private func inspect(_ pa: PodAutoscaler, namespace: String) async throws -> Known {
        let target = pa.spec.scaleTargetRef
        var annotations = pa.metadata.annotations ?? [:]
        let reachable = pa.spec.reachability != "Unreachable"
        // `pa.ScaleBounds`: min-scale does not hold a revision no route sends traffic to.
        if !reachable { annotations[RevisionAnnotations.prefix + "min-scale"] = nil; annotations[RevisionAnnotations.prefix + "minScale"] = nil }
        var description = TargetDescription(namespace: namespace, deployment: target.name, annotations: annotations,
                                            containerConcurrency: pa.spec.containerConcurrency)
        description.labels = pa.metadata.labels ?? [:]
        var k = Known(pa: pa, description: description, selector: [], replicas: 0, problem: nil,
                      settings: PodAutoscalerReconciler.Settings())
        let config = configuration.autoscalerConfig
        do {
            let parsed = try RevisionAnnotations(objectAnnotations: annotations, allowZeroInitialScale: config.allowZeroInitialScale)
            let policy = try KPAPolicy(config: config, annotations: parsed, containerConcurrency: pa.spec.containerConcurrency ?? 0, reachable: reachable)
            k.policy = policy
            k.settings = .init(minScale: policy.scaling.effectiveMinScale, initialScale: policy.scaling.initialScale)
        } catch {
            k.problem = .init(reason: "InvalidAnnotation",
                              message: "\(error); fix the annotation on the Revision's template (the Knative Service or the InferenceService), inferscale leaves this revision alone until then")
            return k
        }
        guard (target.kind ?? "Deployment") == "Deployment", (target.apiVersion ?? "apps/v1") == "apps/v1" else {
            k.problem = .init(reason: "UnsupportedScaleTarget",
                              message: "the scale target is \(target.kind ?? "?") \(target.apiVersion ?? "?"); inferscale's PodAutoscaler class scales apps/v1 Deployments")
            return k
        }
        do {
            let scale = try await api.getScale(namespace: namespace, kind: .deployment, name: target.name)
            k.selector = KubernetesDiscovery.parse(scale.status?.selector)
            k.replicas = scale.replicas
        } catch let error as KubernetesError where error.code == .notFound {
            k.problem = .init(reason: "ScaleTargetNotFound",
                              message: "the Deployment \(namespace)/\(target.name) does not exist; Knative's revision reconciler creates it — check the Revision's conditions")
        }
        return k
    }

    // MARK: ScaleActuator

    public func scale(_ target: TargetDescription, to replicas: Int, reason: String) async throws {
        guard let k = known[target.key] else { throw NotOwned(target: target.key, reason: "no PodAutoscaler of class \(configuration.podAutoscalerClass) names it any more") }
        if let problem = k.problem { throw NotOwned(target: target.key, reason: problem.message) }
        // Knative's rule: never to zero before the activator is in the path, so a new request is held, not refused.
        if replicas == 0, sksMode[target.key] != ServerlessServiceSpec.proxy {
            throw ActivatorNotInPath(target: target.key)
        }
        let pa = Self.reference(k.pa)
        let result: ScaleUpdater.Result
        do {
            result = try await updater.setReplicas(namespace: target.namespace, deployment: target.deployment, kind: .deployment, replicas: replicas)
        } catch {
            await warnings.warn(pa, target: target.key, eventReason: "FailedScale",
                                message: "could not scale \(target.deployment) to \(replicas): \(error)")
            throw error
        }
        await warnings.clear(pa, target: target.key, eventReason: "FailedScale")
        known[target.key]?.replicas = replicas
        guard result.changed else { return }
        // The same Event on the Deployment and on the PA: `kubectl describe` of either shows what happened.
        for involving in [nil, pa] {
            do {
                _ = try await events.recordScaled(namespace: target.namespace, deployment: target.deployment, uid: result.scale.metadata.uid,
                                                  from: result.previousReplicas, to: replicas, reason: reason, involving: involving)
            } catch {
                logger.warning("could not record the scaling Event", metadata: ["inferscale.target": "\(target.key)", "inferscale.error": "\(error)"])
            }
        }
    }

    /// The PA as an Event's `involvedObject`.
    static func reference(_ pa: PodAutoscaler) -> ObjectReference {
        ObjectReference(apiVersion: PodAutoscaler.apiVersion, kind: "PodAutoscaler", namespace: pa.metadata.namespace, name: pa.metadata.name,
                        uid: pa.metadata.uid)
    }

    // MARK: Status

    /// After a decide tick: for every PA, the SKS and the status Knative's reconciler would write, from the loop's
    /// latest verdicts. A stale write (409) is dropped; the PA is read again and the next round writes it.
    public func reconcile(with loopStatus: [ControlLoop.TargetStatus]) async {
        let verdicts = Dictionary(loopStatus.map { ($0.target, $0) }, uniquingKeysWith: { a, _ in a })
        for key in known.keys.sorted() {
            guard let k = known[key], let name = k.pa.metadata.name, let namespace = k.pa.metadata.namespace else { continue }
            let ready = matchingPods(k).filter(\.info.ready).count
            let observation = verdicts[key].map {
                PodAutoscalerReconciler.Observation(want: $0.wanted, activatorInPath: $0.activatorInPath, readyPods: ready)
            } ?? .init(want: -1, activatorInPath: true, readyPods: ready)
            var settings = k.settings
            if let policy = k.policy {
                settings.numActivators = PodAutoscalerReconciler.numActivators(
                    readyPods: ready, targetBurstCapacity: policy.decider.targetBurstCapacity, totalValue: policy.decider.totalValue,
                    activatorCapacity: configuration.autoscalerConfig.activatorCapacity)
            }
            do {
                var sks: ServerlessService?
                if k.problem == nil {
                    do {
                        sks = try await api.getServerlessService(namespace: namespace, name: name)
                    } catch let error as KubernetesError where error.code == .notFound {
                        sks = nil
                    }
                }
                let result = PodAutoscalerReconciler.reconcile(pa: k.pa, sks: sks, observation: observation, settings: settings,
                                                               problem: k.problem, now: now())
                await reportProblem(k, key: key, status: result.status)
                switch result.sks {
                case .none:
                    if let sks, sks.metadata.isControlled(byUID: k.pa.metadata.uid) { sksMode[key] = sks.spec.mode }
                // Every write's answer is awaited into a local first, and only then stored: this actor is re-entered
                // while it waits (`targets()` replaces `known`), and an assignment through `known[key]?.…` would begin
                // its access to the dictionary before the await and write into storage freed meanwhile (the crash
                // the cold-start benchmark met in 3 runs of 12).
                case .create(let new):
                    let created = try await api.createServerlessService(new)
                    sksMode[key] = created.spec.mode
                case .update(let changed):
                    let updated = try await api.updateServerlessService(changed)
                    sksMode[key] = updated.spec.mode
                    if changed.spec.mode != sks?.spec.mode {
                        logger.info("ServerlessService mode \(changed.spec.mode)", metadata: ["inferscale.target": "\(key)"])
                        await recordMode(changed.spec.mode, pa: k.pa, key: key, ready: ready, want: observation.want)
                    }
                }
                if result.statusChanged {
                    var pa = k.pa
                    pa.status = result.status
                    let written = try await api.updatePodAutoscalerStatus(pa)
                    known[key]?.pa = written
                }
            } catch let error as KubernetesError where error.code == .conflict || error.code == .alreadyExists {
                lastRefresh = nil  // read again; the next round writes against the fresh object
            } catch {
                logger.warning("could not reconcile the PodAutoscaler", metadata: ["inferscale.target": "\(key)", "inferscale.error": "\(error)"])
                await warnings.warn(Self.reference(k.pa), target: key, eventReason: "FailedReconcile",
                                    message: "could not write the ServerlessService or the status of PodAutoscaler \(name): \(error)")
            }
        }
    }

    /// A Warning `NotScaling` on the PA while inferscale cannot serve it (the reason the `Ready=False` condition
    /// carries), once per change; forgotten when it is solved, so a recurrence is reported again.
    private func reportProblem(_ k: Known, key: String, status: PodAutoscalerStatus) async {
        let pa = Self.reference(k.pa)
        let active = status.conditions?.first { $0.type == PodAutoscalerReconciler.Condition.active }
        if let problem = k.problem ?? (active?.reason == "NotOwned" ? .init(reason: "NotOwned", message: active?.message ?? "") : nil) {
            await warnings.notScaling(pa, target: key, reason: "\(problem.reason): \(problem.message)")
        } else {
            await warnings.clear(pa, target: key, eventReason: "NotScaling")
        }
    }

    /// A Normal Event on the PA when its ServerlessService changes mode: `ActivatorInPath` (Proxy: requests go
    /// through the activator, which holds them while pods start) or `ServingDirectly` (Serve).
    private func recordMode(_ mode: String, pa: PodAutoscaler, key: String, ready: Int, want: Int32) async {
        let proxy = mode == ServerlessServiceSpec.proxy
        let why = proxy
            ? (want <= 0 ? "no pods are wanted" : "the ready pods' spare capacity is below the target burst capacity")
            : "\(ready) ready pods take the traffic with burst capacity to spare"
        let time = now()
        let stamp = KubernetesTime.formatTime(time)
        let object = Self.reference(pa)
        let event = KubernetesEvent(
            metadata: ObjectMeta(name: "\(pa.metadata.name ?? "pa").\(String(UInt64(max(0, time.timeIntervalSince1970 * 1e9)), radix: 16))",
                                 namespace: pa.metadata.namespace),
            involvedObject: object, reason: proxy ? "ActivatorInPath" : "ServingDirectly",
            message: "ServerlessService \(pa.metadata.name ?? "") switched to \(mode): \(why)", type: "Normal",
            source: EventSource(component: events.component), firstTimestamp: stamp, lastTimestamp: stamp, count: 1,
            reportingComponent: events.component, reportingInstance: events.instance)
        do {
            _ = try await api.createEvent(event)
        } catch {
            logger.warning("could not record the mode Event", metadata: ["inferscale.target": "\(key)", "inferscale.error": "\(error)"])
        }
    }
}

/// A scale to zero refused because the revision's ServerlessService is not (yet) in `Proxy` mode.
public struct ActivatorNotInPath: Error, CustomStringConvertible {
    /// The target's key.
    public var target: String
    public var description: String {
        "not scaling \(target) to zero: its ServerlessService is not in Proxy mode yet, so requests would have nowhere to wait; the next tick tries again"
    }
}

extension KnativePodAutoscalers {
    /// Reconciles every PA from `loop`'s verdicts every `intervalSeconds` until cancelled (one second: a decide
    /// tick's SKS mode and status are written before the next tick).
    public func runStatusLoop(_ loop: ControlLoop, intervalSeconds: Double = 1, isLeader: @Sendable () async -> Bool = { true }) async {
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            if await isLeader() { await reconcile(with: await loop.status()) }
            next = next.advanced(by: .milliseconds(Int64(intervalSeconds * 1000)))
            if next < clock.now { next = clock.now }
            do { try await Task.sleep(until: next, clock: clock) } catch { return }
        }
    }
}
