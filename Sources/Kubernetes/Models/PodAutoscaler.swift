/// A Knative `autoscaling.internal.knative.dev/v1alpha1` PodAutoscaler: one per Revision, created by Knative's
/// revision reconciler; the controller of its class (`autoscaling.knative.dev/class`) scales its target and
/// writes its status (`pkg/apis/autoscaling/v1alpha1/pa_types.go`).
public struct PodAutoscaler: Codable, Sendable, Equatable {
    /// `autoscaling.internal.knative.dev/v1alpha1`.
    public var apiVersion: String?
    /// `PodAutoscaler`.
    public var kind: String?
    /// Name (the revision's), namespace, uid, generation, labels, annotations (the revision's, with the class).
    public var metadata: ObjectMeta
    /// What to scale.
    public var spec: PodAutoscalerSpec
    /// Written through the `/status` subresource by the class's controller.
    public var status: PodAutoscalerStatus?

    /// The API group and version.
    public static let apiVersion = "autoscaling.internal.knative.dev/v1alpha1"

    /// Creates a value.
    public init(metadata: ObjectMeta, spec: PodAutoscalerSpec, status: PodAutoscalerStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = "PodAutoscaler"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `autoscaling.knative.dev/class`; Knative reads a missing one as the KPA class.
    public var autoscalerClass: String { autoscalerClass(clusterDefault: "kpa.autoscaling.knative.dev") }

    /// `autoscaling.knative.dev/class`, or, without the annotation, the cluster's default class
    /// (`pod-autoscaler-class` in Knative's `config-autoscaler`).
    public func autoscalerClass(clusterDefault: String) -> String {
        metadata.annotations?["autoscaling.knative.dev/class"] ?? clusterDefault
    }
}

/// `PodAutoscaler.spec`.
public struct PodAutoscalerSpec: Codable, Sendable, Equatable {
    /// The revision's hard limit of requests per pod (0 or absent: none).
    public var containerConcurrency: Int?
    /// The workload to scale: the revision's Deployment (`<revision>-deployment`).
    public var scaleTargetRef: ScaleTargetReference
    /// `Reachable`, `Unreachable` or absent (unknown); min-scale is ignored while unreachable.
    public var reachability: String?
    /// `http1` or `h2c`, copied to the ServerlessService.
    public var protocolType: String?

    /// Creates a spec.
    public init(containerConcurrency: Int? = nil, scaleTargetRef: ScaleTargetReference, reachability: String? = nil, protocolType: String? = nil) {
        self.containerConcurrency = containerConcurrency
        self.scaleTargetRef = scaleTargetRef
        self.reachability = reachability
        self.protocolType = protocolType
    }
}

/// `PodAutoscaler.status`: conditions (`Ready`, `Active`, `ScaleTargetInitialized`, `SKSReady`) and scales.
public struct PodAutoscalerStatus: Codable, Sendable, Equatable {
    /// The generation the status describes.
    public var observedGeneration: Int64?
    /// Sorted by type.
    public var conditions: [KnativeCondition]?
    /// The ServerlessService's public Service, which the revision reports as its service.
    public var serviceName: String
    /// The ServerlessService's private Service (the revision's pods).
    public var metricsServiceName: String
    /// Replicas the autoscaler wants (−1: no decision yet); absent until first set.
    public var desiredScale: Int32?
    /// Ready pods.
    public var actualScale: Int32?

    /// Creates a status.
    public init(observedGeneration: Int64? = nil, conditions: [KnativeCondition]? = nil, serviceName: String = "",
                metricsServiceName: String = "", desiredScale: Int32? = nil, actualScale: Int32? = nil) {
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.serviceName = serviceName
        self.metricsServiceName = metricsServiceName
        self.desiredScale = desiredScale
        self.actualScale = actualScale
    }

    enum CodingKeys: String, CodingKey { case observedGeneration, conditions, serviceName, metricsServiceName, desiredScale, actualScale }

    /// Decodes leniently: Knative always writes `serviceName` and `metricsServiceName`, a fresh object has neither.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        observedGeneration = try c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        conditions = try c.decodeIfPresent([KnativeCondition].self, forKey: .conditions)
        serviceName = try c.decodeIfPresent(String.self, forKey: .serviceName) ?? ""
        metricsServiceName = try c.decodeIfPresent(String.self, forKey: .metricsServiceName) ?? ""
        desiredScale = try c.decodeIfPresent(Int32.self, forKey: .desiredScale)
        actualScale = try c.decodeIfPresent(Int32.self, forKey: .actualScale)
    }

    /// The condition of `type`, if present.
    public func condition(_ type: String) -> KnativeCondition? { conditions?.first { $0.type == type } }
}
