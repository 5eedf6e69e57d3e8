import Testing
@testable import Scaling

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

@Suite struct TimeBucketWindowLinearTests {
    @Test func emptyWindowIsEmptyAndAveragesZero() {
        let w = TimeBucketWindow(seconds: 60)
        #expect(w.isEmpty(at: t(1000)))
        #expect(w.linearAverage(at: t(1000)) == 0)
    }

    @Test func recordsInTheSameSecondAreSummed() {
        var w = TimeBucketWindow(seconds: 60)
        w.record(1, at: t(100))
        w.record(2, at: Timestamp(nanoseconds: 100 * 1_000_000_000 + 500_000_000))
        #expect(w.linearAverage(at: t(100)) == 3)
    }

    @Test func partialWindowAveragesOnlyWhatItHasSeen() {
        // 30 seconds of 1 and then one second of 50: (30 + 50) / 31 = 2.5806451… → 2.580645.
        var w = TimeBucketWindow(seconds: 60)
        for s in Int64(1000)..<1030 { w.record(1, at: t(s)) }
        w.record(50, at: t(1030))
        #expect(w.linearAverage(at: t(1030)) == 2.580645)
    }

    @Test func averageIsFlooredToSixDecimals() {
        var w = TimeBucketWindow(seconds: 60)
        w.record(1, at: t(10))
        w.record(1, at: t(11))
        w.record(0, at: t(12))
        #expect(w.linearAverage(at: t(12)) == 0.666666)
    }

    @Test func trailingSilenceIsNotReadAsZero() {
        // Ten seconds of 10, then four seconds without a report: still 10, not 10×10/14.
        var w = TimeBucketWindow(seconds: 60)
        for s in Int64(0)..<10 { w.record(10, at: t(s)) }
        #expect(w.linearAverage(at: t(13)) == 10)
        #expect(!w.isEmpty(at: t(13)))
    }

    @Test func gapsInsideTheDataCountAsZero() {
        // 10 at second 0, nothing for 1–4, 10 at 5: (10 + 0 + 0 + 0 + 0 + 10) / 6.
        var w = TimeBucketWindow(seconds: 60)
        w.record(10, at: t(0))
        w.record(10, at: t(5))
        #expect(w.linearAverage(at: t(5)) == 3.333333)
    }

    @Test func fullWindowDropsTheOldestSeconds() {
        // A 6 s window: values 1…10 at seconds 1…10 leave 5…10 in the window: mean 7.5.
        var w = TimeBucketWindow(seconds: 6)
        for s in Int64(1)...10 { w.record(Double(s), at: t(s)) }
        #expect(w.linearAverage(at: t(10)) == 7.5)
        // Two seconds later the trailing empty seconds are trimmed: (7+8+9+10)/4.
        #expect(w.linearAverage(at: t(12)) == 8.5)
    }

    @Test func silenceLongerThanTheWindowResetsIt() {
        var w = TimeBucketWindow(seconds: 6)
        for s in Int64(0)..<6 { w.record(100, at: t(s)) }
        #expect(w.linearAverage(at: t(12)) == 0)
        #expect(w.isEmpty(at: t(12)))
        w.record(3, at: t(20))
        #expect(w.linearAverage(at: t(20)) == 3)
    }

    @Test func windowIsEmptyOnlyAfterAWholeWindowOfSilence() {
        var w = TimeBucketWindow(seconds: 60)
        w.record(5, at: t(0))
        #expect(!w.isEmpty(at: t(60)))
        #expect(w.isEmpty(at: t(61)))
    }

    @Test func writesOlderThanTheWindowAreIgnored() {
        var w = TimeBucketWindow(seconds: 6)
        w.record(4, at: t(100))
        w.record(1000, at: t(94))
        #expect(w.linearAverage(at: t(100)) == 4)
        // A late write inside the window still counts.
        w.record(2, at: t(99))
        #expect(w.linearAverage(at: t(100)) == 3)
    }
}

@Suite struct TimeBucketWindowWeightedTests {
    @Test func smoothingCoefficientsMatchKnative() {
        #expect(TimeBucketWindow(seconds: 60).smoothingCoefficient == 0.2)
        let panic = TimeBucketWindow(seconds: 6).smoothingCoefficient
        #expect(abs(panic - 0.784557) < 1e-6)
    }

    @Test func weightsAreNotNormalised() {
        // One sample of 1 on a 60 s window reads 0.2: a young series reads low.
        var w = TimeBucketWindow(seconds: 60)
        w.record(1, at: t(50))
        #expect(w.weightedAverage(at: t(50)) == 0.2)
    }

    @Test func newerBucketsWeighMore() {
        // [10, 10, 5, 5] newest last with α = 0.2: 5·0.2 + 5·0.16 + 10·0.128 + 10·0.1024 = 4.104.
        var w = TimeBucketWindow(seconds: 60)
        for (i, v) in [10.0, 10, 5, 5].enumerated() { w.record(v, at: t(Int64(i))) }
        #expect(abs(w.weightedAverage(at: t(3)) - 4.104) < 1e-12)
        // Reversed data weighs the tens more.
        var r = TimeBucketWindow(seconds: 60)
        for (i, v) in [5.0, 5, 10, 10].enumerated() { r.record(v, at: t(Int64(i))) }
        #expect(r.weightedAverage(at: t(3)) > w.weightedAverage(at: t(3)))
    }

    @Test func trailingSilenceStartsTheWeightLower() {
        var w = TimeBucketWindow(seconds: 60)
        w.record(1, at: t(0))
        #expect(abs(w.weightedAverage(at: t(2)) - 0.2 * 0.8 * 0.8) < 1e-15)
        #expect(w.weightedAverage(at: t(61)) == 0)
    }

    @Test func goPowerAgreesWithRepeatedMultiplication() {
        var product = 1.0
        for n in 1...60 {
            product *= 0.8
            #expect(abs(GoMath.power(0.8, Double(n)) - product) <= product * 1e-14)
        }
        #expect(GoMath.power(2, 10) == 1024)
        #expect(GoMath.power(9, 0.5) == 3)
    }

    @Test func goInt32ConversionNeverTraps() {
        #expect(GoMath.int32(3.9) == 3)
        #expect(GoMath.int32(-3.9) == -3)
        #expect(GoMath.int32(.nan) == Int32.min)
        #expect(GoMath.int32(1e12) == Int32.min)
    }
}

@Suite struct SlidingMaximumWindowTests {
    @Test func keepsTheLargestValueOfTheWindow() {
        var w = SlidingMaximumWindow(length: 3)
        w.record(5, index: 0)
        w.record(2, index: 1)
        #expect(w.current == 5)
        w.record(3, index: 2)
        #expect(w.current == 5)
        w.record(1, index: 3)  // 5 has left the window (indexes 1…3 remain)
        #expect(w.current == 3)
        w.record(1, index: 5)
        #expect(w.current == 1)
    }

    @Test func twoValuesForOneBucketKeepTheLarger() {
        var w = SlidingMaximumWindow(length: 2)
        w.record(7, index: 10)
        w.record(4, index: 10)
        #expect(w.current == 7)
        w.record(9, index: 10)
        #expect(w.current == 9)
    }

    @Test func timedWindowUsesTwoSecondBuckets() {
        // A 10 s delay is 5 buckets of 2 s.
        var w = TimedMaximumWindow(durationSeconds: 10)
        w.record(8, at: t(0))
        w.record(2, at: t(2))
        #expect(w.current == 8)
        w.record(2, at: t(9))   // bucket 4: 8 (bucket 0) still inside
        #expect(w.current == 8)
        w.record(2, at: t(10))  // bucket 5: 8 left
        #expect(w.current == 2)
    }
}
