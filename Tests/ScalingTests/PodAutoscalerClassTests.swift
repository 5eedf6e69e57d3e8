import Scaling
import Testing

/// inferscale's own PodAutoscaler class is accepted where Knative's KPA class is (the revision annotation and
/// `pod-autoscaler-class` in config-autoscaler); any other class is still refused with the valid values named.
@Suite struct PodAutoscalerClassTests {
    @Test(arguments: ["kpa.autoscaling.knative.dev", "inferscale.dev"])
    func acceptedClasses(value: String) throws {
        let annotations = try RevisionAnnotations(objectAnnotations: ["autoscaling.knative.dev/class": value])
        #expect(annotations.podAutoscalerClass == value)
        var config = AutoscalerConfig()
        try config.set("pod-autoscaler-class", value)
        #expect(config.podAutoscalerClass == value)
    }

    @Test(arguments: ["hpa.autoscaling.knative.dev", "ppa.autoscaling.knative.dev", "inferscale"])
    func otherClassesAreRefused(value: String) {
        #expect(throws: ConfigurationError.self) { try RevisionAnnotations(objectAnnotations: ["autoscaling.knative.dev/class": value]) }
        var config = AutoscalerConfig()
        do {
            try config.set("pod-autoscaler-class", value)
            Issue.record("\(value) was accepted")
        } catch {
            #expect(error.description.contains("inferscale.dev"))
        }
    }
}
