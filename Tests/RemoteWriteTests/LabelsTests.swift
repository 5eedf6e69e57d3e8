import RemoteWrite
import Testing

@Suite struct LabelsTests {
    @Test func sortedByteWiseWithEmptyValuesAndNamesDropped() {
        let labels = Labels([("zone", "a"), ("__name__", "up"), ("Zeta", "1"), ("empty", ""), ("", "x"), ("job", "api")])
        #expect(labels.map(\.name) == ["Zeta", "__name__", "job", "zone"])  // 'Z' < '_' < 'j' in bytes
        #expect(labels.metricName == "up")
        #expect(labels["empty"] == nil)
    }

    @Test func repeatedNameKeepsTheLastValueAndAnEmptiedLabelDisappears() {
        let labels = Labels([("a", "1"), ("b", "2"), ("a", "3"), ("b", "")])
        #expect(Array(labels) == [Label(name: "a", value: "3")])
    }

    @Test func externalLabelsOnlyFillMissingNames() {
        let series = Labels(name: "x", ["cluster": "own"])
        let merged = series.adding(missingFrom: ["cluster": "ext", "region": "eu"])
        #expect(merged["cluster"] == "own")
        #expect(merged["region"] == "eu")
        #expect(merged.map(\.name) == ["__name__", "cluster", "region"])
    }

    @Test func staleMarkerIsBitExactAndOtherNaNsAreNot() {
        #expect(StaleMarker.value.bitPattern == 0x7ff0_0000_0000_0002)
        #expect(StaleMarker.isStaleMarker(StaleMarker.value))
        #expect(!StaleMarker.isStaleMarker(.nan))
        #expect(StaleMarker.normalisingNaN(StaleMarker.value).isNaN)
        #expect(!StaleMarker.isStaleMarker(StaleMarker.normalisingNaN(StaleMarker.value)))
        #expect(StaleMarker.normalisingNaN(1.5) == 1.5)
    }

    @Test func staleTrackerReportsSeriesThatDisappeared() {
        let interner = SymbolInterner()
        let a = RemoteWriteSeries(labels: Labels(name: "m", ["pod": "a"]), interner: interner)
        let b = RemoteWriteSeries(labels: Labels(name: "m", ["pod": "b"]), interner: interner)
        let c = RemoteWriteSeries(labels: Labels(name: "m", ["pod": "c"]), interner: interner)
        var tracker = StaleSeriesTracker()
        #expect(tracker.update(present: [a, b]).isEmpty)
        #expect(tracker.update(present: [b, c]) == [a])
        #expect(tracker.update(present: []).map(\.labels) == [b.labels, c.labels])
    }
}
