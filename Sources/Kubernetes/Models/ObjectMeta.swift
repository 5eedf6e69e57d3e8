/// The subset of Kubernetes `ObjectMeta` that inferscale reads or writes. Unknown fields are ignored.
public struct ObjectMeta: Codable, Sendable, Equatable {
    /// Object name, unique within its namespace.
    public var name: String?
    /// Prefix for a server-generated name (used when creating Events).
    public var generateName: String?
    /// Namespace of the object.
    public var namespace: String?
    /// Server-assigned unique id.
    public var uid: String?
    /// Opaque version string for optimistic concurrency; compare only for equality.
    public var resourceVersion: String?
    /// Incremented by the server on every change of the desired state (spec).
    public var generation: Int64?
    /// Labels used by selectors.
    public var labels: [String: String]?
    /// Annotations (free-form metadata; KServe and Knative keep scaling settings here).
    public var annotations: [String: String]?
    /// Set (RFC 3339) when the object is being deleted; the object may linger until finalizers finish.
    public var deletionTimestamp: String?
    /// Creation time (RFC 3339), set by the server.
    public var creationTimestamp: String?
    /// The objects this one belongs to; the one with `controller: true` manages it.
    public var ownerReferences: [OwnerReference]?
    /// Which field manager owns which fields, as the API server records them. Read only: never encoded, because
    /// managedFields sent in a write replace the server's record (Kubernetes docs, "Server-Side Apply").
    public var managedFields: [ManagedFieldsEntry]?

    /// Creates metadata; every field defaults to absent.
    public init(
        name: String? = nil, generateName: String? = nil, namespace: String? = nil, uid: String? = nil,
        resourceVersion: String? = nil, generation: Int64? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil, deletionTimestamp: String? = nil, creationTimestamp: String? = nil,
        ownerReferences: [OwnerReference]? = nil, managedFields: [ManagedFieldsEntry]? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.labels = labels
        self.annotations = annotations
        self.deletionTimestamp = deletionTimestamp
        self.creationTimestamp = creationTimestamp
        self.ownerReferences = ownerReferences
        self.managedFields = managedFields
    }

    private enum CodingKeys: String, CodingKey {
        case name, generateName, namespace, uid, resourceVersion, generation, labels, annotations, deletionTimestamp,
            creationTimestamp, ownerReferences, managedFields
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(generateName, forKey: .generateName)
        try container.encodeIfPresent(namespace, forKey: .namespace)
        try container.encodeIfPresent(uid, forKey: .uid)
        try container.encodeIfPresent(resourceVersion, forKey: .resourceVersion)
        try container.encodeIfPresent(generation, forKey: .generation)
        try container.encodeIfPresent(labels, forKey: .labels)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encodeIfPresent(deletionTimestamp, forKey: .deletionTimestamp)
        try container.encodeIfPresent(creationTimestamp, forKey: .creationTimestamp)
        try container.encodeIfPresent(ownerReferences, forKey: .ownerReferences)
    }
}

/// `ListMeta` of a list response: the collection's resourceVersion, the start point for a watch.
public struct ListMeta: Codable, Sendable, Equatable {
    /// The resourceVersion of the list as a whole.
    public var resourceVersion: String?
    /// Token for the next page when the list was limited; nil or empty on the last page.
    public var `continue`: String?

    /// Creates list metadata.
    public init(resourceVersion: String? = nil, continue: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
    }
}
