import Testing
@testable import Scaling

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

/// A second nobody sampled is no data, not zero load: inferscale's rounds can be skipped or
/// late, and Knative's reading (a gap between samples is zero) would then scale healthy
/// targets down with their load unchanged.
@Suite struct UnsampledSecondsTests {
    @Test func gapsInsideTheDataAreLeftOut() {
        // 10 at second 0 and at 5: Knative's reading gives 20 / 6; no data gives 20 / 2.
        var knative = TimeBucketWindow(seconds: 60)
        var sampled = TimeBucketWindow(seconds: 60, unsampledSecondsReadAsZero: false)
        for w in [0, 5] as [Int64] {
            knative.record(10, at: t(w))
            sampled.record(10, at: t(w))
        }
        #expect(knative.linearAverage(at: t(5)) == 3.333333)
        #expect(sampled.linearAverage(at: t(5)) == 10)
        // A sampled zero still counts: that is load the pods reported.
        sampled.record(0, at: t(6))
        #expect(sampled.linearAverage(at: t(6)) == 6.666666)
    }

    @Test func trailingAndStaleBucketsAreLeftOutAsInKnative() {
        // A 6 s window written at 1…10 with a gap at 8, read at 12: seconds 7…12 hold 7, 9, 10.
        var w = TimeBucketWindow(seconds: 6, unsampledSecondsReadAsZero: false)
        for s in Int64(1)...10 where s != 8 { w.record(Double(s), at: t(s)) }
        #expect(w.linearAverage(at: t(12)) == 8.666666)  // (7 + 9 + 10) / 3, floored
        #expect(!w.isEmpty(at: t(12)))
        #expect(w.isEmpty(at: t(17)))
        #expect(w.linearAverage(at: t(17)) == 0)
    }

    /// The last sample exactly one window before the read is outside the window: no data (the target's last
    /// decision stands), never an average of 0. At 10,000 targets on one replica, targets whose scrapes failed for
    /// 60 s were read at 0 load on the tick 60 s after their last sample and scaled from 2 to 1.
    @Test func aSampleOneWindowOldIsNoData() {
        var w = TimeBucketWindow(seconds: 60, unsampledSecondsReadAsZero: false)
        w.record(20, at: t(510))
        #expect(w.linearAverage(at: t(569)) == 20)
        #expect(!w.isEmpty(at: t(569)))
        #expect(w.isEmpty(at: t(570)))
        var spec = PolicySpec()
        spec.metrics = [.init(signal: .running, target: 10)]
        var decider = PolicyDecider(spec: spec, readyPods: 2, now: t(500))
        decider.record(SignalSample([.running: 20]), at: t(510))
        let pods = PodCounts(ready: 2, youngestReadyAgeSeconds: 100)
        #expect(decider.evaluate(pods: pods, at: t(569)).desired == 2)
        let atWindow = decider.evaluate(pods: pods, at: t(570))
        #expect(!atWindow.valid, "a window with no sample in it was decided on: \(atWindow)")
        #expect(atWindow.missingSignals == [.running])
    }

    @Test func aLateSampleFillsItsOwnSecond() {
        var w = TimeBucketWindow(seconds: 6, unsampledSecondsReadAsZero: false)
        w.record(4, at: t(100))
        w.record(4, at: t(102))
        #expect(w.linearAverage(at: t(102)) == 4)
        w.record(10, at: t(101))  // the round of second 101 answered late
        #expect(w.linearAverage(at: t(102)) == 6)
        // Older than the window: dropped, as in Knative.
        w.record(1_000, at: t(96))
        #expect(w.linearAverage(at: t(102)) == 6)
    }

    @Test func unsampledSecondsWeighAsTheSampledMean() {
        // [10, _, 5] newest last: the gap weighs like the weighted mean of 10 and 5, not as 0.
        var gappy = TimeBucketWindow(seconds: 60, unsampledSecondsReadAsZero: false)
        gappy.record(10, at: t(0))
        gappy.record(5, at: t(2))
        let sampled = 5 * 0.2 + 10 * 0.128
        let expected = sampled * (0.2 + 0.16 + 0.128) / (0.2 + 0.128)
        #expect(abs(gappy.weightedAverage(at: t(2)) - expected) < 1e-12)
        var knative = TimeBucketWindow(seconds: 60)
        knative.record(10, at: t(0))
        knative.record(5, at: t(2))
        #expect(abs(knative.weightedAverage(at: t(2)) - sampled) < 1e-12)
        // Trailing silence decays Knative's reading; without it the reading does not fall.
        #expect(knative.weightedAverage(at: t(5)) < knative.weightedAverage(at: t(2)))
        #expect(gappy.weightedAverage(at: t(5)) >= gappy.weightedAverage(at: t(2)))
        // A steady series sampled sparsely reads as its value (weights over a full window).
        var sparse = TimeBucketWindow(seconds: 60, unsampledSecondsReadAsZero: false)
        for s in stride(from: Int64(0), through: 300, by: 29) { sparse.record(130, at: t(s)) }
        #expect(abs(sparse.weightedAverage(at: t(290)) - 130 * (1 - GoMath.power(0.8, 60))) < 1e-9)
    }

    @Test func everySecondSampledReadsAsKnative() {
        var rng = SplitMix64(seed: 7)
        var knative = TimeBucketWindow(seconds: 60)
        var sampled = TimeBucketWindow(seconds: 60, unsampledSecondsReadAsZero: false)
        for s in Int64(0)..<400 {
            let v = Double.random(in: 0...500, using: &rng)
            knative.record(v, at: t(s))
            sampled.record(v, at: t(s))
            for lag in Int64(0)...3 {
                #expect(sampled.linearAverage(at: t(s + lag)) == knative.linearAverage(at: t(s + lag)))
            }
            #expect(sampled.weightedAverage(at: t(s)) == knative.weightedAverage(at: t(s)))
        }
    }

    /// The case that was measured: 200 targets whose round took ≈28.5 s, so each was sampled
    /// once every 28 or 29 seconds, with its load unchanged at two pods' worth.
    @Test(arguments: [AggregationAlgorithm.linear, .weightedExponential])
    func skippedSecondsCannotCauseAScaleDown(algorithm: AggregationAlgorithm) {
        func run(knativeReading: Bool) -> [Int32] {
            var spec = PolicySpec()
            spec.metrics = [.init(signal: .concurrency, target: 70, aggregation: algorithm)]
            spec.unsampledSecondsReadAsZero = knativeReading
            var p = PolicyDecider(spec: spec, readyPods: 2, now: t(0))
            var desired: [Int32] = []
            var nextSample: Int64 = 0
            for s in Int64(0)..<600 {
                // Every second for two minutes, then one round every 28.5 s; a decision every 2 s.
                if s < 120 || s == nextSample {
                    p.record(SignalSample([.concurrency: 130]), at: t(s))
                    nextSample = s < 120 ? 120 : s + (s % 2 == 0 ? 28 : 29)
                }
                if s % 2 == 0 { desired.append(p.evaluate(pods: PodCounts(ready: 2, currentReplicas: 2), at: t(s)).desired) }
            }
            return desired
        }
        #expect(run(knativeReading: false).allSatisfy { $0 == 2 })
        // The same input under Knative's reading does scale down: the test can tell them apart.
        #expect(run(knativeReading: true).contains(1))
    }

    @Test func aDecisionBeforeTheRoundAnswersCannotScaleDown() {
        // Weighted windows decay over trailing seconds in Knative; five seconds of a late round
        // would read 130 as 43 there and ask for one pod.
        var spec = PolicySpec()
        spec.metrics = [.init(signal: .concurrency, target: 70, aggregation: .weightedExponential)]
        var p = PolicyDecider(spec: spec, readyPods: 0, now: t(0))
        for s in Int64(0)..<200 { p.record(SignalSample([.concurrency: 130]), at: t(s)) }
        #expect(p.evaluate(pods: PodCounts(ready: 2), at: t(199)).desired == 2)
        #expect(p.evaluate(pods: PodCounts(ready: 2), at: t(204)).desired == 2)
    }
}
