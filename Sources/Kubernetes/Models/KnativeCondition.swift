/// One entry of a Knative object's `status.conditions` (`knative.dev/pkg/apis.Condition`).
public struct KnativeCondition: Codable, Sendable, Equatable {
    /// e.g. `Ready`, `Active`, `SKSReady`.
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    /// `Error` (written as absent), `Warning` or `Info`.
    public var severity: String?
    /// When `status` (or reason/message) last changed, RFC 3339 in whole seconds.
    public var lastTransitionTime: String?
    /// One CamelCase word saying why.
    public var reason: String?
    /// A sentence for people.
    public var message: String?

    /// Creates a condition.
    public init(type: String, status: String, severity: String? = nil, lastTransitionTime: String? = nil,
                reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.severity = severity
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }

    /// Whether `status` is `True`.
    public var isTrue: Bool { status == "True" }
    /// Whether `status` is `False`.
    public var isFalse: Bool { status == "False" }
    /// Whether `status` is `Unknown`.
    public var isUnknown: Bool { status == "Unknown" }
}
