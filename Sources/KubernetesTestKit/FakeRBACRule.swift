/// One RBAC rule for the fake: which verbs on which resources (in `plural` or `plural/subresource` form) of which
/// API groups, optionally limited to some namespaces. With no rules configured, the fake allows everything.
public struct FakeRBACRule: Sendable, Equatable {
    /// API groups (`""` for core, `"*"` for all).
    public var apiGroups: Set<String>
    /// Resources, e.g. `deployments/scale`, `pods`, or `"*"`.
    public var resources: Set<String>
    /// Verbs: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, or `"*"`.
    public var verbs: Set<String>
    /// Namespaces where the rule applies (a RoleBinding's namespace); nil for all.
    public var namespaces: Set<String>?

    /// Creates a rule.
    public init(apiGroups: Set<String>, resources: Set<String>, verbs: Set<String>, namespaces: Set<String>? = nil) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.namespaces = namespaces
    }

    func allows(verb: String, group: String, resource: String, namespace: String) -> Bool {
        (apiGroups.contains("*") || apiGroups.contains(group)) && (resources.contains("*") || resources.contains(resource))
            && (verbs.contains("*") || verbs.contains(verb)) && (namespaces.map { $0.contains(namespace) } ?? true)
    }

    /// The rules inferscale needs: deploy/base/rbac.yaml's ClusterRole and Role together (RBACManifestTests keeps them equal).
    public static let inferscale: [FakeRBACRule] = [
        FakeRBACRule(apiGroups: [""], resources: ["pods"], verbs: ["list", "watch", "patch"]),
        FakeRBACRule(apiGroups: [""], resources: ["events"], verbs: ["create"]),
        FakeRBACRule(apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get", "patch"]),
        FakeRBACRule(apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"]),
        FakeRBACRule(apiGroups: ["leaderworkerset.x-k8s.io"], resources: ["leaderworkersets/scale"], verbs: ["get", "patch"]),
        FakeRBACRule(apiGroups: ["serving.kserve.io"], resources: ["inferenceservices", "llminferenceservices"], verbs: ["list"]),
        FakeRBACRule(apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["list"]),
        FakeRBACRule(apiGroups: ["keda.sh"], resources: ["scaledobjects"], verbs: ["list"]),
        FakeRBACRule(apiGroups: ["autoscaling.internal.knative.dev"], resources: ["podautoscalers"], verbs: ["list"]),
        FakeRBACRule(apiGroups: ["autoscaling.internal.knative.dev"], resources: ["podautoscalers/status"], verbs: ["update"]),
        FakeRBACRule(apiGroups: ["networking.internal.knative.dev"], resources: ["serverlessservices"], verbs: ["get", "create", "update"]),
        FakeRBACRule(apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"]),
        FakeRBACRule(apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"], namespaces: ["knative-serving"]),
    ]
}
