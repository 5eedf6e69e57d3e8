import Exposition
import Testing
@testable import RuntimeSignals

/// `SampleQuery`'s own readings: bucket bounds read as `Double(text)` reads them, and histograms merged over series.
@Suite struct SampleQueryTests {
    /// The short-decimal reading gives the very double `Double(text)` gives, and the same nil.
    @Test(arguments: ["0.005", "0.01", "0.1", "0.3", "2.5", "1.0", "1", "10", "7.5e-1", "+Inf", "-Inf", "Inf", "NaN", ".5", "5.",
                      "0001.25", "123456789012345", "1234567890123456", "0.123456789012345", "0.1234567890123456", "", ".", "1.2.3",
                      "+1", "-0.5", " 1", "1 ", "x", "9007199254740993", "0.000000000000001"])
    func boundsReadAsDoubleReadsThem(_ text: String) {
        let ours = SampleQuery.bound(text), theirs = Double(text)
        #expect(ours?.bitPattern == theirs?.bitPattern, "\(text.debugDescription): \(String(describing: ours)) against \(String(describing: theirs))")
    }

    /// Two series (engines) whose buckets interleave, a bound written two ways, and a NaN bucket count that is left out.
    @Test func aHistogramIsMergedOverSeriesInBoundOrder() throws {
        let text = """
        # TYPE t_seconds histogram
        t_seconds_bucket{engine="0",le="0.5"} 1
        t_seconds_bucket{engine="0",le="1"} 3
        t_seconds_bucket{engine="0",le="+Inf"} 4
        t_seconds_bucket{engine="1",le="0.25"} 2
        t_seconds_bucket{engine="1",le="1.0"} 5
        t_seconds_bucket{engine="1",le="2.5"} NaN
        t_seconds_bucket{engine="1",le="+Inf"} 6
        t_seconds_sum{engine="0"} 2
        t_seconds_sum{engine="1"} 3
        t_seconds_count{engine="0"} 4
        t_seconds_count{engine="1"} 6

        """
        var parser = ExpositionParser(format: .prometheusText)
        let query = SampleQuery(exposition: try parser.parse(text))
        let histogram = try #require(query.histogram("t_seconds", scale: 2))
        #expect(histogram.buckets.map(\.upperBound) == [0.5, 1, 2, .infinity])
        #expect(histogram.buckets.map(\.cumulativeCount) == [2, 1, 8, 10])
        #expect(histogram.count == 10 && histogram.sum == 10)
        #expect(query.histogram("absent_seconds") == nil)
    }
}
