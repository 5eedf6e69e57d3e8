import RemoteWrite
import RemoteWriteTestKit
import Testing

@Suite struct WriteRequestEncoderTests {
    let interner = SymbolInterner()

    func sampleBatch() -> [PendingSample] {
        let up = RemoteWriteSeries(labels: ["__name__": "up", "job": "api", "instance": "10.0.0.1:8080"], metadata: .init(type: .gauge, help: "Target is up.", unit: ""), interner: interner)
        let long = RemoteWriteSeries(
            labels: Labels(name: "inferscale_desired_replicas", ["target": String(repeating: "t", count: 300), "namespace": "serving", "empty": ""]),
            metadata: .init(type: .counter, help: "Desired replicas.", unit: "replicas"),
            interner: interner
        )
        let bare = RemoteWriteSeries(labels: ["__name__": "no_meta"], interner: interner)
        return [
            PendingSample(series: up, value: 1, timestamp: 1_700_000_000_000),
            PendingSample(series: long, value: -2.5, timestamp: 1_700_000_000_001),
            PendingSample(series: up, value: 0, timestamp: 1_700_000_015_000),
            PendingSample(series: bare, value: .infinity, timestamp: -5),
            PendingSample(series: up, value: StaleMarker.value, timestamp: 1_700_000_030_000),
        ]
    }

    func expected(_ batch: [PendingSample], withMetadata: Bool) -> [DecodedSeries] {
        batch.map { s in
            DecodedSeries(labels: Array(s.series.labels), samples: [DecodedSample(value: s.value, timestamp: s.timestamp)], metadata: withMetadata ? s.series.metadata : nil)
        }
    }

    @Test func v1DecodesToTheSamplesThatWentIn() throws {
        let batch = sampleBatch()
        var encoder = WriteRequestEncoder()
        var bytes: [UInt8] = []
        encoder.encode(batch, version: .v1, into: &bytes)
        let decoded = try RemoteWriteDecoder.decodeV1(bytes)
        #expect(decoded == expected(batch, withMetadata: false))
        #expect(decoded.last?.samples.first?.isStaleMarker == true)
        for s in decoded { try RemoteWriteDecoder.checkLabels(s.labels) }
    }

    @Test func v2DecodesWithADeduplicatedSymbolsTableAndMetadata() throws {
        let batch = sampleBatch()
        var encoder = WriteRequestEncoder()
        var bytes: [UInt8] = []
        encoder.encode(batch, version: .v2, into: &bytes)
        let decoded = try RemoteWriteDecoder.decodeV2(bytes)
        #expect(decoded.series == expected(batch, withMetadata: true))
        #expect(decoded.symbols.first == "")
        #expect(Set(decoded.symbols).count == decoded.symbols.count, "symbols are deduplicated")
        #expect(decoded.symbols.contains("Target is up."))
        #expect(decoded.series[1].metadata?.unit == "replicas")
        // A 1.0 decoder sees nothing in a 2.0 body (fields 1-3 are reserved there).
        #expect(try RemoteWriteDecoder.decodeV1(bytes).isEmpty)
    }

    @Test func encoderReuseAcrossRequestsGivesEachItsOwnSymbols() throws {
        var encoder = WriteRequestEncoder()
        var bytes: [UInt8] = []
        let batch = sampleBatch()
        encoder.encode(batch, version: .v2, into: &bytes)
        let other = RemoteWriteSeries(labels: ["__name__": "other", "job": "api"], interner: interner)
        let second = [PendingSample(series: other, value: 3, timestamp: 9)]
        encoder.encode(second, version: .v2, into: &bytes)
        let decoded = try RemoteWriteDecoder.decodeV2(bytes)
        #expect(decoded.symbols == ["", "__name__", "other", "job", "api"])
        #expect(decoded.series == expected(second, withMetadata: true))
        encoder.encode(batch, version: .v1, into: &bytes)
        #expect(try RemoteWriteDecoder.decodeV1(bytes) == expected(batch, withMetadata: false))
    }

    @Test(arguments: RemoteWriteVersion.allCases)
    func compressedBodyDecompressesToTheEncodedMessage(version: RemoteWriteVersion) throws {
        let batch = Array(repeating: sampleBatch(), count: 400).flatMap { $0 }
        var encoder = WriteRequestEncoder()
        var plain: [UInt8] = []
        var compressed: [UInt8] = []
        encoder.encode(batch, version: version, into: &plain)
        let size = encoder.encodeCompressed(batch, version: version, into: &compressed)
        #expect(size == plain.count)
        #expect(compressed.count < plain.count / 3)
        #expect(try Snappy.decompress(compressed) == plain)
    }

    @Test func emptyBatchesAreValidMessages() throws {
        var encoder = WriteRequestEncoder()
        var bytes: [UInt8] = []
        encoder.encode([], version: .v1, into: &bytes)
        #expect(bytes.isEmpty)
        encoder.encode([], version: .v2, into: &bytes)
        #expect(try RemoteWriteDecoder.decodeV2(bytes).symbols == [""])
    }
}
