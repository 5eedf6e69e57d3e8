/// The type of one watch event.
public enum WatchEventType: String, Codable, Sendable, Equatable {
    /// An object appeared (or was present when the watch began).
    case added = "ADDED"
    /// An object changed.
    case modified = "MODIFIED"
    /// An object was removed; the object carries its last state.
    case deleted = "DELETED"
    /// A progress marker: only `metadata.resourceVersion` is meaningful.
    case bookmark = "BOOKMARK"
    /// The watch failed; the object is a `Status` (410 `Expired` when the resourceVersion is too old).
    case error = "ERROR"
}

/// One line of a watch stream: `{"type": …, "object": …}`.
public struct WatchEvent<Object: KubernetesObject>: Sendable {
    /// The event type.
    public var type: WatchEventType
    /// The object for ADDED/MODIFIED/DELETED, and a skeleton (metadata only) for BOOKMARK.
    public var object: Object?
    /// The server's status for ERROR events.
    public var status: KubernetesStatus?
    /// `object.metadata.resourceVersion` (also set for BOOKMARK events).
    public var resourceVersion: String?

    /// Creates an event.
    public init(type: WatchEventType, object: Object?, status: KubernetesStatus? = nil, resourceVersion: String?) {
        self.type = type
        self.object = object
        self.status = status
        self.resourceVersion = resourceVersion
    }
}

extension WatchEvent: Equatable where Object: Equatable {}

/// Raw shape of a watch line, decoded in two steps so that ERROR objects become `Status`.
struct RawWatchEventType: Decodable {
    var type: WatchEventType
}

struct RawWatchEvent<Object: Decodable>: Decodable {
    var object: Object
}

struct MetadataOnly: Decodable {
    var metadata: ObjectMeta?
}
