/// One RBAC permission a request needs: what a Role rule must grant for it to succeed.
public struct RBACPermission: Sendable, Equatable, CustomStringConvertible {
    /// Verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`.
    public var verb: String
    /// API group; empty for the core group (pods, events).
    public var group: String
    /// Resource (plural), e.g. `deployments`.
    public var resource: String
    /// Subresource, e.g. `scale`; nil for the main resource.
    public var subresource: String?
    /// Namespace of the request; nil for cluster scope.
    public var namespace: String?

    /// Creates a permission.
    public init(verb: String, group: String, resource: String, subresource: String? = nil, namespace: String?) {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
    }

    /// `deployments/scale` style name used in Role rules.
    public var ruleResource: String { subresource.map { "\(resource)/\($0)" } ?? resource }

    /// e.g. `verb "patch" on "deployments/scale" in API group "apps" in namespace "prod"`.
    public var description: String {
        let scope = namespace.map { "in namespace \"\($0)\"" } ?? "at cluster scope"
        return "verb \"\(verb)\" on \"\(ruleResource)\" in API group \"\(group)\" \(scope)"
    }

    /// A Role rule that grants this permission, in YAML flow style, to paste into a manifest.
    public var roleRule: String {
        "{apiGroups: [\"\(group)\"], resources: [\"\(ruleResource)\"], verbs: [\"\(verb)\"]}"
    }

    /// Where the shipped manifests (deploy/base/rbac.yaml) grant this permission: Leases through the namespaced
    /// Role `inferscale-leader-election`, Knative's config-autoscaler through the Role `inferscale-knative-config`
    /// in knative-serving, everything else through the ClusterRole `inferscale`.
    public var shippedGrant: String {
        if group == "coordination.k8s.io" && resource == "leases" {
            return "the Role inferscale-leader-election (deploy/base/rbac.yaml), bound by the RoleBinding of the same name"
        }
        if group.isEmpty && resource == "configmaps" {
            return "the Role inferscale-knative-config in knative-serving (deploy/base/rbac.yaml), bound by the RoleBinding of the same name"
        }
        return "the ClusterRole inferscale (deploy/base/rbac.yaml), bound by the ClusterRoleBinding inferscale"
    }
}
