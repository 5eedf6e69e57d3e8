/// One entry of `metadata.managedFields`: which field manager last set which fields of an object, through which
/// operation and subresource. The API server keeps these (Kubernetes docs, "Server-Side Apply", field management):
/// whenever a write changes a field's value, the field moves to the writer's entry, named by the write's
/// `fieldManager` query parameter. inferscale reads them to tell its own writes of `spec.replicas` — from any of
/// its replicas — from another autoscaler's.
public struct ManagedFieldsEntry: Codable, Sendable, Equatable {
    /// The field manager (`inferscale`; `kube-controller-manager` for an HPA; `kubectl-scale`, …).
    public var manager: String?
    /// `Update` (create, PUT, non-apply PATCH) or `Apply` (server-side apply).
    public var operation: String?
    /// The API version the fields are expressed in (`apps/v1`; `autoscaling/v1` as the `/scale` shows them).
    public var apiVersion: String?
    /// When the entry last changed (RFC 3339).
    public var time: String?
    /// Always `FieldsV1` today.
    public var fieldsType: String?
    /// The fields this manager owns.
    public var fieldsV1: FieldSet?
    /// The subresource the write went through (`scale`, `status`), absent for the main resource.
    public var subresource: String?

    /// Creates an entry.
    public init(manager: String? = nil, operation: String? = nil, apiVersion: String? = nil, time: String? = nil,
                fieldsType: String? = "FieldsV1", fieldsV1: FieldSet? = nil, subresource: String? = nil) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fieldsType = fieldsType
        self.fieldsV1 = fieldsV1
        self.subresource = subresource
    }
}

/// A `FieldsV1` set: a tree keyed `f:<field>` (also `k:…`, `v:…`, `i:…` for list items and `.` for the node
/// itself); a key present means the field is owned.
public struct FieldSet: Codable, Sendable, Equatable {
    /// The children, by key.
    public var children: [String: FieldSet]

    /// Creates a set.
    public init(_ children: [String: FieldSet] = [:]) { self.children = children }

    /// The set holding one field path, e.g. `["spec", "replicas"]`.
    public init(path: [String]) {
        self.init(path.reversed().reduce([:]) { inner, field in ["f:" + field: FieldSet(inner)] })
    }

    public init(from decoder: any Decoder) throws {
        children = try decoder.singleValueContainer().decode([String: FieldSet].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(children)
    }

    /// Whether the field at `path` (plain names: `["spec", "replicas"]`) is in the set.
    public func contains(path: [String]) -> Bool {
        var node = self
        for field in path {
            guard let next = node.children["f:" + field] else { return false }
            node = next
        }
        return true
    }
}

extension Array where Element == ManagedFieldsEntry {
    /// The manager that owns `spec.replicas`, or nil when no entry does (an API server that keeps no managed
    /// fields, or an object created without replicas).
    public var replicasManager: String? {
        first { $0.fieldsV1?.contains(path: ["spec", "replicas"]) == true }?.manager
    }
}
