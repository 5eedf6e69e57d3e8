import Testing
@testable import Scaling

@Suite struct CounterRateTests {
    @Test func rateAcrossScrapes() {
        var r = CounterRate()
        #expect(r.update(100, at: Timestamp(seconds: 10)) == nil)
        #expect(r.update(160, at: Timestamp(seconds: 12)) == 30)
        #expect(r.update(160, at: Timestamp(seconds: 13)) == 0)
    }

    @Test func counterResetCountsFromZero() {
        var r = CounterRate()
        _ = r.update(1_000, at: Timestamp(seconds: 0))
        // The pod restarted: 40 since the restart, over 2 s.
        #expect(r.update(40, at: Timestamp(seconds: 2)) == 20)
    }

    @Test func badScrapesGiveNoRate() {
        var r = CounterRate()
        _ = r.update(10, at: Timestamp(seconds: 5))
        #expect(r.update(20, at: Timestamp(seconds: 5)) == nil)
        #expect(r.update(.nan, at: Timestamp(seconds: 6)) == nil)
        #expect(r.update(-1, at: Timestamp(seconds: 7)) == nil)
    }

    @Test func sampleSizeMatchesKnative() {
        #expect(knativeSampleSize(readyPods: 0) == 0)
        #expect(knativeSampleSize(readyPods: 3) == 3)
        #expect(knativeSampleSize(readyPods: 10) == 7)
        #expect(knativeSampleSize(readyPods: 100) == 14)
        #expect(knativeSampleSize(readyPods: 1_000_000) == 16)
    }
}
