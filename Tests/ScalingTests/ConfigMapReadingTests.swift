import Scaling
import Testing

/// `config-autoscaler` as the cluster stores it (Knative's `config/core/configmaps/autoscaler.yaml` ships an
/// `_example` block; `NewConfigFromMap` in `pkg/autoscaler/config/config.go` reads known keys and ignores the rest).
@Suite struct ConfigMapReadingTests {
    @Test func knownKeysApplyExampleAndUnknownKeysAreIgnored() throws {
        let reading = try AutoscalerConfig.reading(configMap: [
            "_example": "################################\n# stable-window: \"60s\"\n",
            "stable-window": "90s", "scale-to-zero-grace-period": "45s", "some-future-key": "true",
        ])
        #expect(reading.config.stableWindowSeconds == 90)
        #expect(reading.config.scaleToZeroGracePeriodSeconds == 45)
        #expect(reading.ignoredKeys == ["some-future-key"])
    }

    /// Any class may be the cluster default: it only says whose a PA without the annotation is.
    @Test(arguments: ["inferscale.dev", "hpa.autoscaling.knative.dev", "ppa.autoscaling.example.com"])
    func anyPodAutoscalerClass(_ value: String) throws {
        let reading = try AutoscalerConfig.reading(configMap: ["pod-autoscaler-class": " \(value) "])
        #expect(reading.config.podAutoscalerClass == value)
    }

    @Test func flagsWinOverTheConfigMap() throws {
        let reading = try AutoscalerConfig.reading(configMap: ["stable-window": "90s", "target-burst-capacity": "0"],
                                                   overrides: [("stable-window", "30s")])
        #expect(reading.config.stableWindowSeconds == 30)
        #expect(reading.config.targetBurstCapacity == 0)
    }

    @Test func anInvalidValueRejectsTheWholeMapNamingTheKey() {
        #expect(throws: ConfigurationError.self) { try AutoscalerConfig.reading(configMap: ["stable-window": "2s", "max-scale": "3"]) }
        do {
            _ = try AutoscalerConfig.reading(configMap: ["pod-autoscaler-class": "  "])
            Issue.record("an empty class was accepted")
        } catch {
            #expect(error.key == "pod-autoscaler-class")
        }
        do {
            _ = try AutoscalerConfig.reading(configMap: ["stable-window": "2s"])
        } catch {
            #expect(error.description.contains("stable-window"))
            #expect(error.description.contains("between 6s and 1h"))
        }
    }

    /// An absent ConfigMap is Knative's defaults.
    @Test func emptyIsTheDefaults() throws {
        #expect(try AutoscalerConfig.reading(configMap: [:]).config == AutoscalerConfig())
    }
}
