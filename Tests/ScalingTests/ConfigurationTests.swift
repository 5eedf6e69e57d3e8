import Testing
@testable import Scaling

@Suite struct AutoscalerConfigTests {
    @Test func defaultsAreKnatives() throws {
        let c = try AutoscalerConfig(values: [:])
        #expect(c.stableWindowSeconds == 60)
        #expect(c.panicWindowPercentage == 10)
        #expect(c.panicThresholdPercentage == 200)
        #expect(c.containerConcurrencyTargetFraction == 0.7)
        #expect(c.containerConcurrencyTargetDefault == 100)
        #expect(c.rpsTargetDefault == 200)
        #expect(c.targetBurstCapacity == 211)
        #expect(c.maxScaleUpRate == 1000)
        #expect(c.maxScaleDownRate == 2)
        #expect(c.scaleToZeroGracePeriodSeconds == 30)
        #expect(c.initialScale == 1)
        #expect(c.enableScaleToZero)
    }

    @Test func everyKeyIsAccepted() throws {
        let c = try AutoscalerConfig(values: [
            "pod-autoscaler-class": "kpa.autoscaling.knative.dev", "enable-scale-to-zero": "false",
            "allow-zero-initial-scale": "true", "max-scale-up-rate": "10", "max-scale-down-rate": "4",
            "container-concurrency-target-percentage": "80", "container-concurrency-target-default": "50",
            "requests-per-second-target-default": "300", "target-burst-capacity": "-1",
            "panic-window-percentage": "20", "activator-capacity": "50", "panic-threshold-percentage": "300",
            "initial-scale": "0", "min-scale": "1", "max-scale": "8", "max-scale-limit": "10",
            "stable-window": "2m", "scale-down-delay": "30s", "scale-to-zero-grace-period": "45s",
            "scale-to-zero-pod-retention-period": "1m30s",
        ])
        #expect(AutoscalerConfig.keys.count == 20)
        #expect(c.containerConcurrencyTargetFraction == 0.8)
        #expect(c.stableWindowSeconds == 120)
        #expect(c.scaleToZeroPodRetentionPeriodSeconds == 90)
        #expect(c.targetBurstCapacity == -1)
        #expect(!c.enableScaleToZero)
        #expect(c.maxScale == 8)
    }

    @Test func fractionsUpToOneAreLegacyPercentages() throws {
        #expect(try AutoscalerConfig(values: ["container-concurrency-target-percentage": "0.5"]).containerConcurrencyTargetFraction == 0.5)
    }

    @Test(arguments: [
        ("stable-window", "5s", "between 6s and 1h"),
        ("stable-window", "90500ms", "whole seconds"),
        ("stable-window", "2h", "between 6s and 1h"),
        ("max-scale-up-rate", "1", "greater than 1"),
        ("max-scale-down-rate", "0.5", "greater than 1"),
        ("target-burst-capacity", "-2", "-1"),
        ("panic-window-percentage", "0.5", "between 1 and 100"),
        ("container-concurrency-target-percentage", "120", "(0, 100]"),
        ("scale-to-zero-grace-period", "0s", "positive"),
        ("initial-scale", "0", "allow-zero-initial-scale"),
        ("enable-scale-to-zero", "yes", "true or false"),
        ("requests-per-second-target-default", "0", "at least 0.01"),
        ("activator-capacity", "0.5", "at least 1"),
        ("scale-down-delay", "1.5s", "whole seconds"),
        ("max-scale", "-1", "0 (unbounded) or more"),
        ("stable-window", "sixty", "duration"),
        ("pod-autoscaler-class", "hpa.autoscaling.knative.dev", "KPA"),
    ])
    func badValuesNameTheKeyAndTheRange(key: String, value: String, expected: String) {
        #expect {
            try AutoscalerConfig(values: [key: value])
        } throws: { error in
            let e = error as! ConfigurationError
            return e.key == key && e.description.contains(expected)
        }
    }

    @Test func unknownKeyIsAnErrorListingTheKnownKeys() {
        #expect {
            try AutoscalerConfig(values: ["stable-windw": "60s"])
        } throws: { error in
            let e = error as! ConfigurationError
            return e.key == "stable-windw" && e.description.contains("stable-window")
        }
    }

    @Test func maxScaleMustRespectTheLimit() {
        #expect(throws: ConfigurationError.self) { try AutoscalerConfig(values: ["max-scale-limit": "5", "max-scale": "6"]) }
        #expect(throws: ConfigurationError.self) { try AutoscalerConfig(values: ["max-scale-limit": "5"]) }
        #expect(throws: ConfigurationError.self) { try AutoscalerConfig(values: ["min-scale": "4", "max-scale": "3"]) }
    }

    @Test func goDurations() {
        #expect(GoValueParser.duration("1m30s") == 90_000_000_000)
        #expect(GoValueParser.duration("1.5h") == 5_400_000_000_000)
        #expect(GoValueParser.duration("300ms") == 300_000_000)
        #expect(GoValueParser.duration("0") == 0)
        #expect(GoValueParser.duration("-2s") == -2_000_000_000)
        #expect(GoValueParser.duration("10") == nil)
        #expect(GoValueParser.duration("s") == nil)
        #expect(GoValueParser.duration("1d") == nil)
        #expect(GoValueParser.duration("") == nil)
    }
}

@Suite struct RevisionAnnotationsTests {
    @Test func keysWorkWithOrWithoutPrefixAndInLegacySpelling() throws {
        let a = try RevisionAnnotations([
            "autoscaling.knative.dev/target": "20", "window": "30s", "minScale": "1",
            "autoscaling.knative.dev/metric-aggregation-algorithm": "weightedExponential",
        ])
        #expect(a.target == 20)
        #expect(a.stableWindowSeconds == 30)
        #expect(a.minScale == 1)
        #expect(a.aggregationAlgorithm == .weightedExponential)
    }

    @Test(arguments: [
        ("panic-threshold-percentage", "100"), ("panic-window-percentage", "101"), ("target", "0.001"),
        ("target-utilization-percentage", "0.5"), ("window", "5s"), ("metric", "cpu"), ("min-scale", "-1"),
        ("initial-scale", "0"), ("scale-down-delay", "2h"), ("scale-to-zero-pod-retention-period", "-1s"),
        ("activation-scale", "1"), ("metric-aggregation-algorithm", "median"), ("class", "hpa.autoscaling.knative.dev"),
        ("target-burst-capacity", "-3"),
    ])
    func badAnnotationValuesAreRejected(key: String, value: String) {
        #expect(throws: ConfigurationError.self) { try RevisionAnnotations([key: value]) }
    }

    @Test func relationsBetweenAnnotationsAreChecked() {
        #expect(throws: ConfigurationError.self) { try RevisionAnnotations(["min-scale": "3", "max-scale": "2"]) }
        #expect(throws: ConfigurationError.self) { try RevisionAnnotations(["activation-scale": "5", "max-scale": "4"]) }
        #expect(throws: ConfigurationError.self) { try RevisionAnnotations(["min-scale": "2", "minScale": "3"]) }
        #expect(throws: ConfigurationError.self) { try RevisionAnnotations(["unknown-key": "1"]) }
        #expect(throws: Never.self) { try RevisionAnnotations(["min-scale": "3", "max-scale": "0"]) }
        #expect(throws: Never.self) { try RevisionAnnotations(["initial-scale": "0"], allowZeroInitialScale: true) }
    }
}

@Suite struct KPAPolicyTests {
    @Test func defaultTargetIsSeventyOfAHundred() throws {
        let p = try KPAPolicy()
        #expect(p.decider.targetValue == 70)
        #expect(p.decider.totalValue == 100)
        #expect(p.panicWindowSeconds == 6)
    }

    @Test func containerConcurrencyCapsTheTargetAnnotation() throws {
        let p = try KPAPolicy(annotations: try RevisionAnnotations(["target": "20"]), containerConcurrency: 10)
        #expect(p.decider.totalValue == 10)
        #expect(p.decider.targetValue == 7)
        let q = try KPAPolicy(annotations: try RevisionAnnotations(["target": "5"]), containerConcurrency: 10)
        #expect(q.decider.totalValue == 5)
    }

    @Test func rpsUsesItsOwnDefault() throws {
        let p = try KPAPolicy(annotations: try RevisionAnnotations(["metric": "rps"]), containerConcurrency: 10)
        #expect(p.decider.totalValue == 200)
        #expect(p.decider.targetValue == 140)
        let u = try KPAPolicy(annotations: try RevisionAnnotations(["metric": "rps", "target": "50", "target-utilization-percentage": "50"]))
        #expect(u.decider.targetValue == 25)
    }

    @Test func targetIsAtLeastOneHundredth() throws {
        // 0.5 × 1 % = 0.005, raised to 0.01.
        let p = try KPAPolicy(annotations: try RevisionAnnotations(["target": "0.5", "target-utilization-percentage": "1"]))
        #expect(p.decider.targetValue == 0.01)
    }

    @Test func panicWindowRoundsToWholeSecondsHalfUp() {
        #expect(KPAPolicy.panicWindow(stableWindowSeconds: 60, percentage: 10) == 6)
        #expect(KPAPolicy.panicWindow(stableWindowSeconds: 15, percentage: 10) == 2)  // 1.5 s → 2 s
        #expect(KPAPolicy.panicWindow(stableWindowSeconds: 6, percentage: 10) == 1)   // 0.6 s → 1 s
        #expect(KPAPolicy.panicWindow(stableWindowSeconds: 6, percentage: 1) == 1)    // floor of 1 s
        #expect(KPAPolicy.panicWindow(stableWindowSeconds: 14, percentage: 10) == 1)  // 1.4 s → 1 s
    }

    @Test func annotationsOverrideConfig() throws {
        let config = try AutoscalerConfig(values: ["stable-window": "90s", "target-burst-capacity": "50", "scale-down-delay": "10s"])
        let p = try KPAPolicy(config: config, annotations: try RevisionAnnotations([
            "window": "30s", "panic-window-percentage": "20", "target-burst-capacity": "0", "scale-down-delay": "20s",
            "panic-threshold-percentage": "400", "initial-scale": "3", "activation-scale": "2",
        ]))
        #expect(p.decider.stableWindowSeconds == 30)
        #expect(p.panicWindowSeconds == 6)
        #expect(p.decider.targetBurstCapacity == 0)
        #expect(p.decider.scaleDownDelaySeconds == 20)
        #expect(p.decider.panicThreshold == 4)
        #expect(p.decider.initialScale == 3)
        #expect(p.decider.activationScale == 2)
    }

    @Test func zeroInitialScaleAnnotationNeedsTheClusterSwitch() throws {
        var a = RevisionAnnotations()
        a.initialScale = 0
        #expect(try KPAPolicy(annotations: a).decider.initialScale == 1)
        let allow = try AutoscalerConfig(values: ["allow-zero-initial-scale": "true"])
        #expect(try KPAPolicy(config: allow, annotations: a).decider.initialScale == 0)
    }

    @Test func containerConcurrencyIsRangeChecked() {
        #expect(throws: ConfigurationError.self) { try KPAPolicy(containerConcurrency: 1001) }
        #expect(throws: ConfigurationError.self) { try KPAPolicy(containerConcurrency: -1) }
    }

    @Test func noScrapingWhenTheActivatorIsAlwaysInThePath() throws {
        let p = try KPAPolicy(annotations: try RevisionAnnotations(["target-burst-capacity": "-1"]))
        let windows = p.makeMetricCollection()
        // Empty windows read as 0 rather than "no data": the activator reports every request.
        #expect(windows.observation(of: .concurrency, at: Timestamp(seconds: 100)) == Observation(stable: 0, panic: 0))
        #expect(try KPAPolicy().makeMetricCollection().observation(of: .concurrency, at: Timestamp(seconds: 100)) == nil)
    }
}
