import Foundation
import Kubernetes
import KubernetesTestKit
import Testing
import Yams

/// deploy/base/rbac.yaml grants exactly what the client uses: every `KubernetesAPI` call is made against the
/// fake API server with no permission at all, the 403s name the permission each call needs, and that set must
/// equal what the manifest grants — a verb granted and never used fails, and so does one used and not granted.
@Suite struct RBACManifestTests {
    struct Grant: Hashable, CustomStringConvertible {
        var group: String
        var resource: String
        var verb: String
        var description: String { "\(group.isEmpty ? "core" : group) \(resource) \(verb)" }
    }

    /// Every call of the `KubernetesAPI` protocol, once. A call added to the protocol belongs here too.
    static func everyCall(_ api: some KubernetesAPI) -> [(String, () async throws -> Void)] {
        let lease = Lease(metadata: ObjectMeta(name: "inferscale", namespace: "inferscale-system", resourceVersion: "1"), spec: LeaseSpec())
        let event = KubernetesEvent(
            metadata: ObjectMeta(name: "e", namespace: "ml"), involvedObject: ObjectReference(kind: "Deployment", name: "web"),
            reason: "Scaled", message: "m")
        let target = ScaleTargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "rev-1-deployment")
        let pa = PodAutoscaler(metadata: ObjectMeta(name: "rev-1", namespace: "ml", resourceVersion: "1"), spec: PodAutoscalerSpec(scaleTargetRef: target))
        let sks = ServerlessService(metadata: ObjectMeta(name: "rev-1", namespace: "ml", resourceVersion: "1"),
                                    spec: ServerlessServiceSpec(mode: "Proxy", objectRef: target))
        return [
            ("listPods", { _ = try await api.listPods(namespace: "ml", labelSelector: nil) }),
            ("watchPods", { for try await _ in try await api.watchPods(namespace: "ml", labelSelector: nil, resourceVersion: "1") {} }),
            ("getScale", { _ = try await api.getScale(namespace: "ml", deployment: "web") }),
            ("patchScale", { _ = try await api.patchScale(namespace: "ml", deployment: "web", replicas: 2, resourceVersion: nil) }),
            ("getScale LWS", { _ = try await api.getScale(namespace: "ml", kind: .leaderWorkerSet, name: "llm-kserve-mn") }),
            ("patchScale LWS", { _ = try await api.patchScale(namespace: "ml", kind: .leaderWorkerSet, name: "llm-kserve-mn", replicas: 2, resourceVersion: nil) }),
            ("patchPodAnnotations", { try await api.patchPodAnnotations(namespace: "ml", name: "web-1", annotations: ["a": "1"]) }),
            ("listDeployments", { _ = try await api.listDeployments(namespace: "ml") }),
            ("watchDeployments", { for try await _ in try await api.watchDeployments(namespace: "ml", resourceVersion: "1") {} }),
            ("getDeployment", { _ = try await api.getDeployment(namespace: "ml", name: "web") }),
            ("listInferenceServices", { _ = try await api.listInferenceServices(namespace: "ml") }),
            ("listLLMInferenceServices", { _ = try await api.listLLMInferenceServices(namespace: "ml") }),
            ("listHorizontalPodAutoscalers", { _ = try await api.listHorizontalPodAutoscalers(namespace: "ml") }),
            ("listScaledObjects", { _ = try await api.listScaledObjects(namespace: "ml") }),
            ("getLease", { _ = try await api.getLease(namespace: "inferscale-system", name: "inferscale") }),
            ("createLease", { _ = try await api.createLease(lease) }),
            ("updateLease", { _ = try await api.updateLease(lease) }),
            ("createEvent", { _ = try await api.createEvent(event) }),
            ("listPodAutoscalers", { _ = try await api.listPodAutoscalers(namespace: "ml") }),
            ("updatePodAutoscalerStatus", { _ = try await api.updatePodAutoscalerStatus(pa) }),
            ("getServerlessService", { _ = try await api.getServerlessService(namespace: "ml", name: "rev-1") }),
            ("createServerlessService", { _ = try await api.createServerlessService(sks) }),
            ("updateServerlessService", { _ = try await api.updateServerlessService(sks) }),
            ("listConfigMaps", { _ = try await api.listConfigMaps(namespace: "knative-serving", name: "config-autoscaler") }),
            ("watchConfigMaps", {
                for try await _ in try await api.watchConfigMaps(namespace: "knative-serving", name: "config-autoscaler", resourceVersion: "1") {}
            }),
        ]
    }

    /// The requirements of the `KubernetesAPI` protocol, by name, read from its source (`servesResource` needs no
    /// grant: `system:discovery` covers it for every authenticated user).
    static func protocolRequirements() throws -> Set<String> {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Sources/Kubernetes/Client/KubernetesAPI.swift"), encoding: .utf8)
        guard let start = text.range(of: "public protocol KubernetesAPI"),
              let end = text.range(of: "\n}\n", range: start.upperBound..<text.endIndex) else { return [] }
        var names: Set<String> = []
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("func "), let open = trimmed.firstIndex(of: "(") else { continue }
            names.insert(String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 5)..<open]))
        }
        return names
    }

    /// A requirement added to the protocol without a place in `everyCall` would be used without a grant being checked.
    @Test func everyCallCoversTheProtocol() async throws {
        let requirements = try Self.protocolRequirements()
        #expect(requirements.count > 20, "could not read the KubernetesAPI protocol")
        let listed = try await withFakeAPI { _, client in Set(Self.everyCall(client).map { String($0.0.split(separator: " ")[0]) }) }
        #expect(requirements.subtracting(listed) == ["servesResource"], "not in everyCall: \(requirements.subtracting(listed).sorted())")
        #expect(listed.subtracting(requirements).isEmpty, "in everyCall, not in the protocol: \(listed.subtracting(requirements).sorted())")
    }

    /// The permissions the client needs, read from the 403s of a server that grants nothing.
    static func usedPermissions() async throws -> [RBACPermission] {
        try await withFakeAPI { server, client in
            server.setRBAC([])
            var used: [RBACPermission] = []
            for (name, call) in everyCall(client) {
                let error = await kubernetesError(call)
                let permission = try #require(error?.missingPermission, "\(name) was not refused: \(String(describing: error))")
                used.append(permission)
            }
            return used
        }
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The rules of one kind (`ClusterRole` or `Role`) in the manifest, flattened to single grants; only the
    /// object `named` when given.
    static func granted(kind: String, named: String? = nil, in documents: [[String: Any]]) -> Set<Grant> {
        var grants: Set<Grant> = []
        for document in documents where document["kind"] as? String == kind
            && (named == nil || (document["metadata"] as? [String: Any])?["name"] as? String == named)
        {
            for rule in document["rules"] as? [[String: Any]] ?? [] {
                for group in rule["apiGroups"] as? [String] ?? [] {
                    for resource in rule["resources"] as? [String] ?? [] {
                        for verb in rule["verbs"] as? [String] ?? [] { grants.insert(Grant(group: group, resource: resource, verb: verb)) }
                    }
                }
            }
        }
        return grants
    }

    static func manifest() throws -> [[String: Any]] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/base/rbac.yaml"), encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    @Test func manifestGrantsExactlyWhatTheClientUses() async throws {
        let used = try await Self.usedPermissions()
        let documents = try Self.manifest()
        // Leases live in inferscale's own namespace and Knative's config-autoscaler in knative-serving: namespaced
        // Roles grant them, the ClusterRole nothing of them.
        func grants(_ include: (RBACPermission) -> Bool) -> Set<Grant> {
            Set(used.filter(include).map { Grant(group: $0.group, resource: $0.ruleResource, verb: $0.verb) })
        }
        let leases = grants { $0.resource == "leases" }
        let configMaps = grants { $0.resource == "configmaps" }
        let others = grants { $0.resource != "leases" && $0.resource != "configmaps" }
        let clusterRole = Self.granted(kind: "ClusterRole", in: documents)
        let role = Self.granted(kind: "Role", named: "inferscale-leader-election", in: documents)
        #expect(Self.granted(kind: "Role", named: "inferscale-knative-config", in: documents) == configMaps)
        #expect(Set(documents.filter { $0["kind"] as? String == "Role" }.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String })
                == ["inferscale-leader-election", "inferscale-knative-config"])
        #expect(clusterRole.subtracting(others).isEmpty, "granted by the ClusterRole but never used: \(clusterRole.subtracting(others).sorted { $0.description < $1.description })")
        #expect(others.subtracting(clusterRole).isEmpty, "used but not granted by the ClusterRole: \(others.subtracting(clusterRole).sorted { $0.description < $1.description })")
        #expect(role == leases, "the Role grants \(role) but the client uses \(leases)")
    }

    /// The Lease rules are limited by name where RBAC allows it (not for `create`, whose name is unknown when the
    /// request is authorised), and the bindings name the ServiceAccount the Deployment runs as.
    @Test func leaseRulesAndBindings() throws {
        let documents = try Self.manifest()
        func named(_ kind: String, _ name: String) -> [String: Any]? {
            documents.first { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }
        }
        let role = try #require(named("Role", "inferscale-leader-election"))
        for rule in role["rules"] as? [[String: Any]] ?? [] {
            let verbs = rule["verbs"] as? [String] ?? []
            if verbs.contains("create") {
                #expect(rule["resourceNames"] == nil)
            } else {
                #expect(rule["resourceNames"] as? [String] == ["inferscale"])
            }
        }
        // Knative's config-autoscaler: only that ConfigMap, only in knative-serving (list and watch by field selector).
        let knative = try #require(named("Role", "inferscale-knative-config"))
        #expect((knative["metadata"] as? [String: Any])?["namespace"] as? String == "knative-serving")
        for rule in knative["rules"] as? [[String: Any]] ?? [] {
            #expect(rule["resourceNames"] as? [String] == ["config-autoscaler"])
        }
        let knativeBinding = try #require(named("RoleBinding", "inferscale-knative-config"))
        #expect((knativeBinding["metadata"] as? [String: Any])?["namespace"] as? String == "knative-serving")
        #expect((knativeBinding["roleRef"] as? [String: Any])?["name"] as? String == "inferscale-knative-config")
        let subject = (knativeBinding["subjects"] as? [[String: Any]])?.first
        #expect(subject?["namespace"] as? String == "inferscale-system")
        for (kind, name) in [("ClusterRoleBinding", "inferscale"), ("RoleBinding", "inferscale-leader-election"), ("RoleBinding", "inferscale-knative-config")] {
            let binding = try #require(named(kind, name))
            let subjects = binding["subjects"] as? [[String: Any]] ?? []
            #expect(subjects.count == 1)
            #expect(subjects.first?["kind"] as? String == "ServiceAccount")
            #expect(subjects.first?["name"] as? String == "inferscale")
        }
    }

    /// The fake's `FakeRBACRule.inferscale`, which other tests run under, grants the same as the manifest.
    @Test func testKitRulesMatchTheManifest() throws {
        let documents = try Self.manifest()
        let manifest = Self.granted(kind: "ClusterRole", in: documents).union(Self.granted(kind: "Role", in: documents))
        var kit: Set<Grant> = []
        for rule in FakeRBACRule.inferscale {
            for g in rule.apiGroups { for r in rule.resources { for v in rule.verbs { kit.insert(Grant(group: g, resource: r, verb: v)) } } }
        }
        #expect(kit == manifest)
    }

    /// docs/kubernetes.md shows the same rules as the manifest, as YAML a reviewer can read.
    @Test func docsShowTheManifestRules() throws {
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/kubernetes.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## RBAC").dropFirst().first)
        let yaml = try #require(section.components(separatedBy: "```yaml").dropFirst().first?.components(separatedBy: "```").first)
        let loaded = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let docs = Self.granted(kind: "ClusterRole", in: [["kind": "ClusterRole", "rules": loaded["rules"] ?? []]])
        let documents = try Self.manifest()
        let manifest = Self.granted(kind: "ClusterRole", in: documents).union(Self.granted(kind: "Role", in: documents))
        #expect(docs == manifest)
    }
}
