/// The fields of a KServe `serving.kserve.io/v1beta1` InferenceService that scaling needs.
public struct InferenceService: Codable, Sendable, Equatable {
    /// Metadata; KServe keeps the deployment mode and autoscaler class in annotations.
    public var metadata: ObjectMeta
    /// The desired state; only the predictor is read.
    public var spec: InferenceServiceSpec?

    /// Creates an InferenceService value.
    public init(metadata: ObjectMeta, spec: InferenceServiceSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Annotation that selects KServe's deployment mode (`RawDeployment`, `Serverless`, …).
    public static let deploymentModeAnnotation = "serving.kserve.io/deploymentMode"
    /// Annotation that selects KServe's autoscaler class (`hpa`, `external`, …).
    public static let autoscalerClassAnnotation = "serving.kserve.io/autoscalerClass"

    /// Annotation that stops the InferenceService (KServe deletes its Deployment, HPA and ScaledObject).
    public static let stopAnnotation = "serving.kserve.io/stop"

    /// The value of the autoscaler-class annotation, if present.
    public var autoscalerClass: String? { metadata.annotations?[Self.autoscalerClassAnnotation] }

    /// The value of the deployment-mode annotation, if present.
    public var deploymentMode: String? { metadata.annotations?[Self.deploymentModeAnnotation] }

    /// Name of the predictor's Deployment in RawDeployment mode: KServe names it `<isvc>-predictor`.
    /// (Releases before 0.9 used `<isvc>-predictor-default`; discovery tries both.)
    public var predictorDeploymentName: String? { metadata.name.map { "\($0)-predictor" } }
}

/// `InferenceService.spec`.
public struct InferenceServiceSpec: Codable, Sendable, Equatable {
    /// The predictor component.
    public var predictor: PredictorSpec?

    /// Creates a spec.
    public init(predictor: PredictorSpec? = nil) { self.predictor = predictor }
}

/// The scaling fields of `spec.predictor` (KServe's component extension spec).
public struct PredictorSpec: Codable, Sendable, Equatable {
    /// Lower bound of replicas (pods); KServe's default is 1, and 0 allows scale to zero.
    public var minReplicas: Int?
    /// Upper bound of replicas (pods); 0 or absent means no explicit bound.
    public var maxReplicas: Int?
    /// Metric KServe scales on: `concurrency`, `rps`, `cpu` or `memory`.
    public var scaleMetric: String?
    /// Target value of `scaleMetric` per pod (requests in flight, requests per second, or percent).
    public var scaleTarget: Int?
    /// Hard limit of requests in flight per pod; 0 or absent means no limit.
    public var containerConcurrency: Int?
    /// Multi-node serving (a worker spec): KServe requires the `none` class and runs a LeaderWorkerSet-like pair.
    public var workerSpec: Present?

    /// Creates a predictor spec.
    public init(
        minReplicas: Int? = nil, maxReplicas: Int? = nil, scaleMetric: String? = nil, scaleTarget: Int? = nil,
        containerConcurrency: Int? = nil, workerSpec: Present? = nil
    ) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.scaleMetric = scaleMetric
        self.scaleTarget = scaleTarget
        self.containerConcurrency = containerConcurrency
        self.workerSpec = workerSpec
    }
}
