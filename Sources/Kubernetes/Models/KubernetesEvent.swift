/// A core/v1 Event, recorded on a target when inferscale scales it (`kubectl describe` shows it).
public struct KubernetesEvent: Codable, Sendable, Equatable {
    /// Always `v1`.
    public var apiVersion: String = "v1"
    /// Always `Event`.
    public var kind: String = "Event"
    /// Name (or generateName) and namespace; the namespace must be the involved object's.
    public var metadata: ObjectMeta
    /// The object the event is about.
    public var involvedObject: ObjectReference
    /// Short CamelCase reason, e.g. `ScaledUp`.
    public var reason: String?
    /// Human-readable message.
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    /// Who reported the event.
    public var source: EventSource?
    /// First occurrence (RFC 3339 `Time`, whole seconds).
    public var firstTimestamp: String?
    /// Last occurrence (RFC 3339 `Time`, whole seconds).
    public var lastTimestamp: String?
    /// How many times it occurred.
    public var count: Int?
    /// Controller that emitted the event, e.g. `inferscale`.
    public var reportingComponent: String?
    /// Instance of that controller (the pod name).
    public var reportingInstance: String?

    /// Creates an event.
    public init(
        metadata: ObjectMeta, involvedObject: ObjectReference, reason: String?, message: String?,
        type: String? = "Normal", source: EventSource? = nil, firstTimestamp: String? = nil,
        lastTimestamp: String? = nil, count: Int? = 1, reportingComponent: String? = nil,
        reportingInstance: String? = nil
    ) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }
}

/// A reference to another object (`involvedObject`).
public struct ObjectReference: Codable, Sendable, Equatable {
    /// e.g. `apps/v1`.
    public var apiVersion: String?
    /// e.g. `Deployment`.
    public var kind: String?
    /// Namespace of the object.
    public var namespace: String?
    /// Name of the object.
    public var name: String?
    /// Uid of the object, when known.
    public var uid: String?
    /// resourceVersion the event refers to, when known.
    public var resourceVersion: String?

    /// Creates a reference.
    public init(
        apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil,
        uid: String? = nil, resourceVersion: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// `Event.source`.
public struct EventSource: Codable, Sendable, Equatable {
    /// Reporting component.
    public var component: String?
    /// Node or host name, if any.
    public var host: String?

    /// Creates a source.
    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
