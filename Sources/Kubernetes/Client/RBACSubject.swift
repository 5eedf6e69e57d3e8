/// Who a 403 was for, as the API server names it in the message (`User "system:serviceaccount:ns:name" cannot …`):
/// a ServiceAccount (in-cluster) or a plain user (a kubeconfig), so the error can say whose binding to fix.
public struct RBACSubject: Sendable, Equatable, CustomStringConvertible {
    /// `ServiceAccount` or `User`, as a RoleBinding's `subjects[].kind` spells it.
    public var kind: String
    /// The account's or user's name.
    public var name: String
    /// The ServiceAccount's namespace; nil for a user.
    public var namespace: String?

    /// Creates a subject.
    public init(kind: String, name: String, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    /// The subject named in a Forbidden message, or nil when the message names none. The API server writes
    /// `User "<name>"` for every subject and spells service accounts `system:serviceaccount:<namespace>:<name>`
    /// (Kubernetes `apiserver/pkg/endpoints/handlers/responsewriters/errors.go`, `forbiddenMessage`).
    public init?(forbiddenMessage message: String) {
        guard let start = message.range(of: "User \"") else { return nil }
        let rest = message[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        let user = String(rest[..<end])
        let parts = user.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
            self.init(kind: "ServiceAccount", name: String(parts[3]), namespace: String(parts[2]))
        } else {
            self.init(kind: "User", name: user)
        }
    }

    /// `ServiceAccount inferscale-system/inferscale` or `User "alice"`.
    public var description: String {
        if let namespace { return "\(kind) \(namespace)/\(name)" }
        return "\(kind) \"\(name)\""
    }
}
