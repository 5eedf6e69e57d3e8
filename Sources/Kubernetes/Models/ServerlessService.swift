/// A Knative `networking.internal.knative.dev/v1alpha1` ServerlessService (SKS): the PodAutoscaler's switch between
/// the activator (`Proxy`) and the revision's pods (`Serve`) behind the revision's public Service. The PA's
/// controller writes the spec; Knative's SKS reconciler writes the status (`knative.dev/networking`,
/// `pkg/apis/networking/v1alpha1/serverlessservice_types.go`).
public struct ServerlessService: Codable, Sendable, Equatable {
    /// `networking.internal.knative.dev/v1alpha1`.
    public var apiVersion: String?
    /// `ServerlessService`.
    public var kind: String?
    /// Name (the PA's), namespace, labels, annotations and the controlling owner reference to the PA.
    public var metadata: ObjectMeta
    /// Mode, target and activator count.
    public var spec: ServerlessServiceSpec
    /// The Services Knative made, and readiness.
    public var status: ServerlessServiceStatus?

    /// The API group and version.
    public static let apiVersion = "networking.internal.knative.dev/v1alpha1"

    /// Creates a value.
    public init(metadata: ObjectMeta, spec: ServerlessServiceSpec, status: ServerlessServiceStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = "ServerlessService"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `ServerlessService.spec`.
public struct ServerlessServiceSpec: Codable, Sendable, Equatable {
    /// `Serve` (pods behind the public Service) or `Proxy` (the activator).
    public var mode: String
    /// The workload whose pods serve: the PA's scale target.
    public var objectRef: ScaleTargetReference
    /// `http1` or `h2c`.
    public var protocolType: String?
    /// Activators to put behind the revision in Proxy mode (at least 2).
    public var numActivators: Int32?

    /// `Serve`: requests go to the revision's pods.
    public static let serve = "Serve"
    /// `Proxy`: requests go to the activator, which buffers them while pods start.
    public static let proxy = "Proxy"

    /// Creates a spec.
    public init(mode: String, objectRef: ScaleTargetReference, protocolType: String? = nil, numActivators: Int32? = nil) {
        self.mode = mode
        self.objectRef = objectRef
        self.protocolType = protocolType
        self.numActivators = numActivators
    }
}

/// `ServerlessService.status`.
public struct ServerlessServiceStatus: Codable, Sendable, Equatable {
    /// The generation the status describes.
    public var observedGeneration: Int64?
    /// `Ready`, `EndpointsPopulated`, `ActivatorEndpointsPopulated`.
    public var conditions: [KnativeCondition]?
    /// The public Service (the SKS's name).
    public var serviceName: String?
    /// The private Service of the revision's pods (`<name>-private`).
    public var privateServiceName: String?

    /// Creates a status.
    public init(observedGeneration: Int64? = nil, conditions: [KnativeCondition]? = nil, serviceName: String? = nil, privateServiceName: String? = nil) {
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.serviceName = serviceName
        self.privateServiceName = privateServiceName
    }

    /// The condition of `type`, if present.
    public func condition(_ type: String) -> KnativeCondition? { conditions?.first { $0.type == type } }
}

extension PodAutoscaler: KubernetesObject {}
extension ServerlessService: KubernetesObject {}
