/// A Kubernetes list response (`PodList`, `InferenceServiceList`, …): items plus the list's resourceVersion.
public struct ObjectList<Item: Codable & Sendable>: Codable, Sendable {
    /// List metadata; `metadata.resourceVersion` is where a watch resumes.
    public var metadata: ListMeta
    /// The objects. A missing or null `items` decodes as empty.
    public var items: [Item]

    /// Creates a list.
    public init(metadata: ListMeta, items: [Item]) {
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case metadata, items }

    /// Decodes leniently: `items: null` (which the API server sends for an empty list) becomes `[]`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

extension ObjectList: Equatable where Item: Equatable {}
