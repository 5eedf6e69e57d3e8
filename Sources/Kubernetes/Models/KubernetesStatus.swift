/// The `Status` object the API server returns with errors (and inside watch `ERROR` events).
public struct KubernetesStatus: Codable, Sendable, Equatable {
    /// `Status`.
    public var kind: String?
    /// `v1`.
    public var apiVersion: String?
    /// `Failure` or `Success`.
    public var status: String?
    /// Human-readable description from the server.
    public var message: String?
    /// Machine-readable reason: `Forbidden`, `NotFound`, `Conflict`, `Expired`, `Invalid`, …
    public var reason: String?
    /// HTTP status code the error corresponds to (410 for an expired resourceVersion).
    public var code: Int?
    /// Which object it was about.
    public var details: Details?

    /// Creates a status.
    public init(
        kind: String? = "Status", apiVersion: String? = "v1", status: String? = "Failure", message: String? = nil,
        reason: String? = nil, code: Int? = nil, details: Details? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }

    /// `Status.details`.
    public struct Details: Codable, Sendable, Equatable {
        /// Object name.
        public var name: String?
        /// API group.
        public var group: String?
        /// Resource kind as the server names it (`deployments`, `deployments/scale`, `Scale`).
        public var kind: String?
        /// Field-level causes for `Invalid`.
        public var causes: [Cause]?

        /// Creates details.
        public init(name: String? = nil, group: String? = nil, kind: String? = nil, causes: [Cause]? = nil) {
            self.name = name
            self.group = group
            self.kind = kind
            self.causes = causes
        }
    }

    /// One cause of an `Invalid` error.
    public struct Cause: Codable, Sendable, Equatable {
        /// e.g. `FieldValueInvalid`.
        public var reason: String?
        /// Description of the problem.
        public var message: String?
        /// Path of the field, e.g. `spec.replicas`.
        public var field: String?

        /// Creates a cause.
        public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }
}
