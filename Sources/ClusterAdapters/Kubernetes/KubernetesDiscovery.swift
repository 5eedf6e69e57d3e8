import AutoscalerCore
import Foundation
import Kubernetes
import Logging
import Metrics
import Rules
import Scaling

/// Finds targets in the cluster and decides, from the platform's contracts, which of them inferscale may
/// scale: KServe InferenceServices (only with `serving.kserve.io/autoscalerClass: external`), the workloads
/// of LLMInferenceServices (while KServe leaves their replicas alone), and the Deployments that rules name.
/// Any target that an HPA or a KEDA ScaledObject also points at, or whose replicas another writer keeps
/// changing, is left alone; every verdict other than "owned" is reported with the reason (log, an Event on
/// the object, `/debug/targets` through the loop).
///
/// Pods come from one watch per namespace (resumed from the last resourceVersion), matched to targets by the
/// selector of their scale subresource. Target lists are refreshed every `refreshSeconds`.
///
/// Who wrote a change comes from the API server's record, `metadata.managedFields`: a new `spec.replicas` owned by
/// inferscale's field manager (`fieldManager`, which every replica's scale writes name) is inferscale's own, from
/// whichever replica, however late it is seen (a watch that was down, a re-list after taking over); one owned by
/// any other manager is another writer's. Where the server records no owner, the leader (`isLeader`) falls back
/// to "a change I neither wrote nor am writing is foreign". Only the leader counts foreign changes: a follower
/// takes every change as it comes (without an owner on record it could not tell the leader's writes from another
/// autoscaler's).
public actor KubernetesDiscovery: TargetDiscovery {
    /// Settings for spotting another writer of a target's replicas.
    public struct ConflictSettings: Sendable, Equatable {
        /// Foreign changes of `spec.replicas` within `windowSeconds` after which the target is left alone. Default 2.
        public var changesToBackOff = 2
        /// The window those changes are counted in, seconds. Default 600.
        public var windowSeconds: Double = 600
        /// Seconds without a foreign change before inferscale scales the target again. Default 300.
        public var quietSeconds: Double = 300

        public init(changesToBackOff: Int = 2, windowSeconds: Double = 600, quietSeconds: Double = 300) {
            self.changesToBackOff = changesToBackOff
            self.windowSeconds = windowSeconds
            self.quietSeconds = quietSeconds
        }
    }

    private let api: any KubernetesAPI
    private let namespaces: [String]
    private let namedDeployments: @Sendable () async -> [(namespace: String, name: String)]
    private let refreshSeconds: Double
    private let conflictSettings: ConflictSettings
    private let events: OwnershipEventRecorder
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let isLeader: @Sendable () async -> Bool
    private let fieldManager: String
    /// With shards: whether this replica holds target `key`'s shard (a target held elsewhere is watched as a follower would).
    private let leadsTarget: @Sendable (String) -> Bool

    private struct Known {
        var description: TargetDescription
        var selector: [(String, String, Bool)]  // key, value, equal (false: !=)
        var replicas: Int
        /// The field manager that owns `spec.replicas` as the scale read shows it; nil when the server records none.
        var replicasManager: String? = nil
        var control: TargetControl
        /// The object an Event about this target goes on (the InferenceService, LLMInferenceService or Deployment).
        var eventObject: ObjectReference
    }
    /// What inferscale last wrote or accepted as a target's replicas, and when others changed it.
    private struct Writes {
        var expected: Int
        /// A write in flight (its watch event may arrive before the PATCH returns).
        var pending: Int?
        var foreignChanges: [Date] = []
    }
    private var known: [String: Known] = [:]
    private var writes: [String: Writes] = [:]
    private var pods: [String: PodIndex] = [:]  // namespace → its pods, by label
    private var lastRefresh: Date?
    /// Each Deployment's resourceVersion as the Deployment watch last saw it ("ns/name"), and the scale read at
    /// that version: a refresh re-reads only the scale subresources whose Deployment changed (at 10,000 targets,
    /// re-reading all of them every 10 s was 1,000 requests a second for nothing).
    private var deploymentVersions: [String: String] = [:]
    private var scales: [String: (version: String, scale: Scale)] = [:]

    public init(api: any KubernetesAPI, namespaces: [String], refreshSeconds: Double = 10,
                namedDeployments: @escaping @Sendable () async -> [(namespace: String, name: String)] = { [] },
                conflicts: ConflictSettings = ConflictSettings(), instance: String? = nil,
                now: @escaping @Sendable () -> Date = { Date() },
                isLeader: @escaping @Sendable () async -> Bool = { true },
                leadsTarget: @escaping @Sendable (String) -> Bool = { _ in true },
                fieldManager: String = KubernetesClientConfiguration.defaultFieldManager,
                logger: Logger = Logger(label: "inferscale.discovery")) {
        self.leadsTarget = leadsTarget
        self.api = api
        self.namespaces = namespaces
        self.refreshSeconds = refreshSeconds
        self.namedDeployments = namedDeployments
        self.conflictSettings = conflicts
        self.events = OwnershipEventRecorder(api: api, instance: instance, now: now, logger: logger)
        self.now = now
        self.isLeader = isLeader
        self.fieldManager = fieldManager
        self.logger = logger
    }

    /// Watches pods and Deployments in every namespace until cancelled: each pod update replaces the
    /// namespace's pod set; a Deployment whose replicas change without inferscale is another writer's, seen
    /// within about a second rather than on the next refresh.
    public func watchPods() async {
        await withTaskGroup(of: Void.self) { group in
            for namespace in namespaces {
                let pods = PodWatcher(api: api, namespace: namespace, labelSelector: nil)
                group.addTask { await pods.run { update in await self.applyPods(namespace, update) } }
                let deployments = DeploymentWatcher(api: api, namespace: namespace)
                group.addTask {
                    await deployments.run { update in await self.deploymentsChanged(namespace, update, leading: await self.isLeader()) }
                }
            }
        }
    }

    private func applyPods(_ namespace: String, _ update: PodSetUpdate) { pods[namespace, default: PodIndex()].apply(update) }

    private func deploymentsChanged(_ namespace: String, _ update: ObjectSetUpdate<Deployment>, leading: Bool) {
        switch update.change {
        case .relisted:
            deploymentVersions = deploymentVersions.filter { !$0.key.hasPrefix(namespace + "/") }
            for (name, deployment) in update.objects { deploymentVersions["\(namespace)/\(name)"] = deployment.metadata.resourceVersion }
        case .added(let deployment), .modified(let deployment):
            if let name = deployment.metadata.name { deploymentVersions["\(namespace)/\(name)"] = deployment.metadata.resourceVersion }
        case .deleted(let deployment):
            if let name = deployment.metadata.name {
                deploymentVersions["\(namespace)/\(name)"] = nil
                scales["\(namespace)/\(name)"] = nil
            }
        }
        deploymentChanged(namespace, update.change, leading: leading)
    }

    /// The scale subresource of a workload: the one read at the Deployment's current resourceVersion when the
    /// Deployment watch has seen it, else read now.
    private func scale(namespace: String, kind: ScaleTargetKind, name: String) async throws -> Scale {
        let key = "\(namespace)/\(name)"
        let version = kind == .deployment ? deploymentVersions[key] : nil
        if let version, let cached = scales[key], cached.version == version { return cached.scale }
        let scale = try await api.getScale(namespace: namespace, kind: kind, name: name)
        // Kept under the version seen before the read: a change during it makes the next refresh read again.
        if let version { scales[key] = (version, scale) }
        return scale
    }

    private func deploymentChanged(_ namespace: String, _ change: ObjectSetUpdate<Deployment>.Change, leading: Bool) {
        guard case .modified(let deployment) = change, let name = deployment.metadata.name,
              let replicas = deployment.spec?.replicas else { return }
        let key = "\(namespace)/\(name)"
        guard var k = known[key], k.control.isScraped, k.description.kind == ScaleTargetKind.deployment.rawValue else { return }
        // Status updates and inferscale's own writes come through here too: only a new spec.replicas that
        // inferscale neither wrote nor is writing is another writer's.
        guard replicas != (writes[key]?.expected ?? k.replicas), replicas != writes[key]?.pending else { return }
        k.replicas = replicas
        k.replicasManager = deployment.metadata.managedFields?.replicasManager
        guard leading && leadsTarget(key), k.control != .paused(holdAt: nil), !isOwn(k) else {
            // inferscale's own write (the server names its field manager, whichever replica made it); a follower's
            // view, which leaves the detection to the leader; or a paused target, whose replicas are the operator's
            // to change (that is what pausing is for): taken as expected, no conflict.
            known[key] = k
            writes[key, default: Writes(expected: replicas)].expected = replicas
            return
        }
        k.control = foreignChange(key, k, observed: replicas)
        let skipped = known[key]?.control != k.control
        known[key] = k
        if skipped, case .skipped(let reason) = k.control {
            let object = k.eventObject
            Task { await events.notScaling(object, target: key, reason: reason) }
        }
    }

    /// Whether the API server records inferscale's field manager as the owner of `k`'s replicas.
    private func isOwn(_ k: Known) -> Bool { k.replicasManager == fieldManager }

    /// Announces a write inferscale is about to make, so its own watch event is not taken for another writer's.
    public func expectReplicas(_ key: String, _ replicas: Int?) {
        if writes[key] == nil, let current = known[key]?.replicas { writes[key] = Writes(expected: current) }
        writes[key]?.pending = replicas
    }

    /// Remembers replicas just written, so the next tick does not see the old value and a later change by
    /// someone else is recognised as theirs.
    public func noteReplicas(_ key: String, _ replicas: Int) {
        known[key]?.replicas = replicas
        writes[key, default: Writes(expected: replicas)].expected = replicas
        writes[key]?.pending = nil
    }

    /// Whether inferscale may write `key`'s replicas now (checked again right before each patch).
    public func mayPatch(_ key: String) -> TargetControl? { known[key]?.control }

    public func targets() async throws -> [DiscoveredTarget] {
        if lastRefresh.map({ now().timeIntervalSince($0) >= refreshSeconds }) ?? true {
            try await refresh()
        }
        return known.keys.sorted().compactMap { key in
            guard let k = known[key] else { return nil }
            let matching = matchingPods(k)
            var description = k.description
            if let labels = matching.first?.labels { description.labels = labels }
            return DiscoveredTarget(description: description, pods: matching.map(\.info), replicas: k.replicas, control: k.control)
        }
    }

    /// The pods of target `key` as the pod watch sees them now, and the replicas last known.
    public func pods(of key: String) -> (pods: [PodInfo], replicas: Int)? {
        guard let k = known[key] else { return nil }
        return (matchingPods(k).map(\.info), k.replicas)
    }

    private func matchingPods(_ k: Known) -> [PodIndex.Entry] {
        pods[k.description.namespace]?.matching(k.selector) ?? []
    }

    // MARK: - Refresh

    private func refresh() async throws {
        let leading = await isLeader()
        var next: [String: Known] = [:]
        for namespace in namespaces {
            let owners = try await autoscalerObjects(in: namespace)
            for isvc in try await api.listInferenceServices(namespace: namespace).items {
                guard let known = try await inferenceService(isvc, namespace: namespace, owners: owners) else { continue }
                next[known.description.key] = known
            }
            for llm in try await llmInferenceServices(in: namespace) {
                for known in try await workloads(of: llm, namespace: namespace, owners: owners) {
                    next[known.description.key] = known
                }
            }
            for (ns, name) in await namedDeployments() where ns == namespace && next["\(ns)/\(name)"] == nil {
                if let known = try await namedDeployment(name, namespace: namespace, owners: owners) {
                    next[known.description.key] = known
                }
            }
        }
        for (key, var k) in next {
            k.control = checkForeignWrites(key, k, leading: leading && leadsTarget(key))
            next[key] = k
            if known[key]?.control != k.control, case .skipped(let reason) = k.control {
                await events.notScaling(k.eventObject, target: key, reason: reason)
            }
        }
        for key in writes.keys where next[key] == nil { writes[key] = nil }
        known = next
        lastRefresh = now()
    }

    /// HPAs and ScaledObjects in `namespace`, by kind. KEDA's CRD may be absent: a 404 means none.
    private func autoscalerObjects(in namespace: String) async throws -> [(kind: String, object: AutoscalerObject)] {
        var result = try await api.listHorizontalPodAutoscalers(namespace: namespace).items.map { (kind: "HorizontalPodAutoscaler", object: $0) }
        do {
            result += try await api.listScaledObjects(namespace: namespace).items.map { (kind: "ScaledObject", object: $0) }
        } catch let error as KubernetesError where error.code == .notFound {
            // KEDA is not installed: no ScaledObject can point at anything.
        }
        return result
    }

    private func llmInferenceServices(in namespace: String) async throws -> [LLMInferenceService] {
        do {
            return try await api.listLLMInferenceServices(namespace: namespace).items
        } catch let error as KubernetesError where error.code == .notFound {
            return []  // KServe's LLM CRD is not installed.
        }
    }

    private func inferenceService(_ isvc: InferenceService, namespace: String, owners: [(kind: String, object: AutoscalerObject)]) async throws -> Known? {
        guard let name = isvc.metadata.name else { return nil }
        let reference = ObjectReference(apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", namespace: namespace,
                                        name: name, uid: isvc.metadata.uid)
        let predictor = isvc.spec?.predictor ?? PredictorSpec()
        var description = TargetDescription(
            namespace: namespace, deployment: "\(name)-predictor", inferenceService: name, annotations: isvc.metadata.annotations ?? [:],
            minReplicas: predictor.minReplicas, maxReplicas: predictor.maxReplicas,
            scaleMetric: predictor.scaleMetric, scaleTarget: predictor.scaleTarget.map(Double.init),
            containerConcurrency: predictor.containerConcurrency)
        let control = KServeOwnership.control(of: isvc)
        guard control.isScraped else {
            return Known(description: description, selector: [], replicas: 0, control: control, eventObject: reference)
        }
        // KServe names the predictor Deployment `<isvc>-predictor` (0.9 and later; `-predictor-default` before).
        for candidate in ["\(name)-predictor", "\(name)-predictor-default"] {
            do {
                let scale = try await scale(namespace: namespace, kind: .deployment, name: candidate)
                description.deployment = candidate
                return Known(description: description, selector: Self.parse(scale.status?.selector), replicas: scale.replicas,
                             replicasManager: scale.metadata.managedFields?.replicasManager,
                             control: Self.combine(control, owners: owners, workload: candidate, kind: .deployment, selector: scale.status?.selector),
                             eventObject: reference)
            } catch let error as KubernetesError where error.code == .notFound {
                continue
            }
        }
        return Known(description: description, selector: [], replicas: 0,
                     control: .skipped(reason: "its predictor Deployment \(name)-predictor does not exist (yet); KServe creates it once the InferenceService reconciles"),
                     eventObject: reference)
    }

    private func workloads(of llm: LLMInferenceService, namespace: String, owners: [(kind: String, object: AutoscalerObject)]) async throws -> [Known] {
        guard let name = llm.metadata.name else { return [] }
        let reference = ObjectReference(apiVersion: "serving.kserve.io/v1alpha1", kind: "LLMInferenceService", namespace: namespace,
                                        name: name, uid: llm.metadata.uid)
        let pause = KServeOwnership.pauseControl(llm.metadata.annotations ?? [:], object: "\(namespace)/\(name)")
        var result: [Known] = []
        for workload in LLMInferenceServiceWorkloads.workloads(of: llm) {
            var description = TargetDescription(namespace: namespace, deployment: workload.name, annotations: llm.metadata.annotations ?? [:])
            description.llmInferenceService = name
            description.role = workload.role
            description.kind = workload.kind.rawValue
            if let reason = workload.skipReason {
                result.append(Known(description: description, selector: [], replicas: 0, control: .skipped(reason: reason), eventObject: reference))
                continue
            }
            do {
                let scale = try await scale(namespace: namespace, kind: workload.kind, name: workload.name)
                result.append(Known(description: description, selector: Self.parse(scale.status?.selector), replicas: scale.replicas,
                                    replicasManager: scale.metadata.managedFields?.replicasManager,
                                    control: Self.combine(pause, owners: owners, workload: workload.name, kind: workload.kind,
                                                          selector: scale.status?.selector),
                                    eventObject: reference))
            } catch let error as KubernetesError where error.code == .notFound {
                result.append(Known(description: description, selector: [], replicas: 0,
                                    control: .skipped(reason: "its \(workload.role) \(workload.kind.rawValue) \(workload.name) does not exist (yet); KServe creates it once the LLMInferenceService reconciles"),
                                    eventObject: reference))
            }
        }
        return result
    }

    private func namedDeployment(_ name: String, namespace: String, owners: [(kind: String, object: AutoscalerObject)]) async throws -> Known? {
        let reference = ObjectReference(apiVersion: "apps/v1", kind: "Deployment", namespace: namespace, name: name)
        do {
            let deployment = try await api.getDeployment(namespace: namespace, name: name)
            let scale = try await scale(namespace: namespace, kind: .deployment, name: name)
            var description = TargetDescription(namespace: namespace, deployment: name, annotations: deployment.metadata.annotations ?? [:])
            description.labels = deployment.metadata.labels ?? [:]
            var ref = reference
            ref.uid = deployment.metadata.uid
            let pause = KServeOwnership.pauseControl(deployment.metadata.annotations ?? [:], object: "\(namespace)/\(name)")
            return Known(description: description, selector: Self.parse(scale.status?.selector), replicas: scale.replicas,
                         replicasManager: scale.metadata.managedFields?.replicasManager,
                         control: Self.combine(pause, owners: owners, workload: name, kind: .deployment, selector: scale.status?.selector),
                         eventObject: ref)
        } catch let error as KubernetesError where error.code == .notFound {
            logger.warning("a rule names a Deployment that does not exist", metadata: ["inferscale.target": "\(namespace)/\(name)"])
            return nil
        }
    }

    /// The contract's verdict, overridden by what makes a patch unsafe: another autoscaler on the workload, or
    /// a pod selector inferscale cannot match.
    static func combine(_ control: TargetControl, owners: [(kind: String, object: AutoscalerObject)], workload: String,
                        kind: ScaleTargetKind, selector: String?) -> TargetControl {
        guard control.isScraped else { return control }
        let conflicting = KServeOwnership.conflicts(for: workload, kind: kind, among: owners)
        if !conflicting.isEmpty {
            return .skipped(reason: "the \(conflicting.joined(separator: " and the ")) also scales \(kind.rawValue) \(workload); two writers of spec.replicas would fight — delete it, or remove the target from inferscale's rules")
        }
        if parse(selector).contains(where: { $0.0.hasPrefix("\u{0}") }) {
            return .skipped(reason: "its pod selector \"\(selector ?? "")\" (from /scale status.selector) is empty or set-based; inferscale matches equality selectors only and cannot find its pods")
        }
        return control
    }

    /// A replica count that moved without inferscale is another writer's (seen on the refresh, or at once by
    /// the Deployment watch).
    private func checkForeignWrites(_ key: String, _ k: Known, leading: Bool) -> TargetControl {
        guard k.control.isScraped else { return k.control }
        guard let w = writes[key] else {
            writes[key] = Writes(expected: k.replicas)
            return k.control
        }
        if k.control == .paused(holdAt: nil) {
            // The operator's own scaling while inferscale keeps its hands off (see `deploymentChanged`).
            writes[key]?.expected = k.replicas
            return k.control
        }
        if !leading || isOwn(k) {
            // inferscale's own writes, or the leader's as a follower sees them (see `deploymentChanged`).
            writes[key]?.expected = k.replicas
            return backOff(key, k)
        }
        if k.replicas != w.expected && k.replicas != w.pending { return foreignChange(key, k, observed: k.replicas) }
        return backOff(key, k)
    }

    /// Counts one foreign change of `key`'s replicas and says whether inferscale now leaves the target alone.
    private func foreignChange(_ key: String, _ k: Known, observed: Int) -> TargetControl {
        var w = writes[key] ?? Writes(expected: observed)
        w.foreignChanges.append(now())
        Counter(label: "inferscale_replica_conflicts_total", dimensions: [("target", key)]).increment()
        logger.warning("another writer changed the replicas", metadata: [
            "inferscale.target": "\(key)", "inferscale.expected": "\(w.expected)", "inferscale.replicas": "\(observed)"])
        w.expected = observed
        writes[key] = w
        return backOff(key, k)
    }

    /// Skipped while another writer changed the replicas `changesToBackOff` times in the window and has not
    /// been quiet for `quietSeconds` since; otherwise the contract's verdict.
    private func backOff(_ key: String, _ k: Known) -> TargetControl {
        guard var w = writes[key] else { return k.control }
        let time = now()
        w.foreignChanges.removeAll { time.timeIntervalSince($0) > conflictSettings.windowSeconds }
        writes[key] = w
        if let last = w.foreignChanges.last, w.foreignChanges.count >= conflictSettings.changesToBackOff,
           time.timeIntervalSince(last) < conflictSettings.quietSeconds {
            return .skipped(reason: "another writer changed spec.replicas \(w.foreignChanges.count) times in the last \(Int(conflictSettings.windowSeconds)) s without inferscale; left alone until it is quiet for \(Int(conflictSettings.quietSeconds)) s — find the other autoscaler (kubectl get hpa,scaledobjects -n \(k.description.namespace))")
        }
        return k.control
    }

    /// Equality-based selectors as the scale subresource prints them: `a=b,c!=d`.
    /// Set-based clauses are not understood and match nothing rather than everything.
    public static func parse(_ selector: String?) -> [(String, String, Bool)] {
        guard let selector, !selector.isEmpty else { return [("\u{0}unselectable", "", true)] }
        return selector.split(separator: ",").map { clause in
            let c = String(clause).trimmingCharacters(in: .whitespaces)
            if let r = c.range(of: "!=") { return (String(c[..<r.lowerBound]), String(c[r.upperBound...]), false) }
            if let r = c.range(of: "==") { return (String(c[..<r.lowerBound]), String(c[r.upperBound...]), true) }
            if let r = c.range(of: "=") { return (String(c[..<r.lowerBound]), String(c[r.upperBound...]), true) }
            return ("\u{0}unsupported:" + c, "", true)
        }
    }
}
