import AutoscalerCore
import Foundation
import Kubernetes
import Logging
import Rules
import Scaling

/// Finds targets in the cluster: every KServe InferenceService's predictor Deployment in the
/// watched namespaces, plus the Deployments that rules name. Pods come from one watch per
/// namespace (resumed from the last resourceVersion), matched to targets by the selector of
/// their scale subresource. Target lists are refreshed every `refreshSeconds`.
public actor KubernetesDiscovery: TargetDiscovery {
    private let api: any KubernetesAPI
    private let namespaces: [String]
    private let namedDeployments: @Sendable () async -> [(namespace: String, name: String)]
    private let refreshSeconds: Double
    private let logger: Logger

    private struct Known {
        var description: TargetDescription
        var selector: [(String, String, Bool)]  // key, value, equal (false: !=)
        var replicas: Int
    }
    private var known: [String: Known] = [:]
    private var pods: [String: [String: Pod]] = [:]  // namespace → name → pod
    private var lastRefresh: Date?

    public init(api: any KubernetesAPI, namespaces: [String], refreshSeconds: Double = 10,
                namedDeployments: @escaping @Sendable () async -> [(namespace: String, name: String)] = { [] },
                logger: Logger = Logger(label: "inferscale.discovery")) {
        self.api = api
        self.namespaces = namespaces
        self.refreshSeconds = refreshSeconds
        self.namedDeployments = namedDeployments
        self.logger = logger
    }

    /// Watches pods in every namespace until cancelled; each update replaces the namespace's pod set.
    public func watchPods() async {
        await withTaskGroup(of: Void.self) { group in
            for namespace in namespaces {
                let watcher = PodWatcher(api: api, namespace: namespace, labelSelector: nil)
                group.addTask { await watcher.run { update in await self.replacePods(namespace, update.pods) } }
            }
        }
    }

    private func replacePods(_ namespace: String, _ set: [String: Pod]) { pods[namespace] = set }

    /// Remembers replicas just written, so the next tick does not see the old value.
    public func noteReplicas(_ key: String, _ replicas: Int) { known[key]?.replicas = replicas }

    public func targets() async throws -> [DiscoveredTarget] {
        if lastRefresh.map({ Date().timeIntervalSince($0) >= refreshSeconds }) ?? true {
            try await refresh()
        }
        return known.keys.sorted().compactMap { key in
            guard let k = known[key] else { return nil }
            let matching = (pods[k.description.namespace] ?? [:]).values
                .filter { pod in k.selector.allSatisfy { (pod.metadata.labels?[$0.0] == $0.1) == $0.2 } }
                .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
            let infos = matching.map { pod in
                PodInfo(name: pod.metadata.name ?? "", ip: pod.status?.podIP ?? "", ready: pod.isReady && pod.status?.podIP != nil,
                        readySince: pod.readySince.map { Timestamp(nanoseconds: Int64($0.timeIntervalSince1970 * 1e9)) })
            }
            var description = k.description
            if let labels = matching.first?.metadata.labels { description.labels = labels }
            return DiscoveredTarget(description: description, pods: infos, replicas: k.replicas)
        }
    }

    private func refresh() async throws {
        var next: [String: Known] = [:]
        for namespace in namespaces {
            for isvc in try await InferenceServiceTarget.discover(api: api, namespace: namespace) {
                guard let deployment = isvc.deploymentName, let scale = isvc.scale else { continue }
                let description = TargetDescription(
                    namespace: namespace, deployment: deployment, inferenceService: isvc.name, annotations: isvc.annotations,
                    minReplicas: isvc.predictor.minReplicas, maxReplicas: isvc.predictor.maxReplicas,
                    scaleMetric: isvc.predictor.scaleMetric, scaleTarget: isvc.predictor.scaleTarget.map(Double.init),
                    containerConcurrency: isvc.predictor.containerConcurrency)
                next[description.key] = Known(description: description, selector: Self.parse(scale.status?.selector), replicas: scale.replicas)
            }
        }
        for (namespace, name) in await namedDeployments() where namespaces.contains(namespace) && next["\(namespace)/\(name)"] == nil {
            do {
                let scale = try await api.getScale(namespace: namespace, deployment: name)
                let description = TargetDescription(namespace: namespace, deployment: name)
                next[description.key] = Known(description: description, selector: Self.parse(scale.status?.selector), replicas: scale.replicas)
            } catch let error as KubernetesError where error.code == .notFound {
                logger.warning("a rule names a Deployment that does not exist", metadata: ["inferscale.target": "\(namespace)/\(name)"])
            }
        }
        known = next
        lastRefresh = Date()
    }

    /// Equality-based selectors as the scale subresource prints them: `a=b,c!=d`.
    /// Set-based clauses are not understood and match nothing rather than everything.
    static func parse(_ selector: String?) -> [(String, String, Bool)] {
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
