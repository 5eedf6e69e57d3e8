import CoreMetrics
import Testing

import ClusterAdapters

/// `run`'s `/metrics` registry: partitioned so that registering N targets' series is not O(N²) (swift-prometheus
/// copies a family's series on every insertion), yet emitting the same exposition as one registry, each family once.
@Suite struct PartitionedMetricsRegistryTests {
    /// Registers the series of a few families the way the loop does: per target, by target and reason, unlabelled.
    private static func register(_ factory: some MetricsFactory, targets: Int) -> [any RecorderHandler] {
        var gauges: [any RecorderHandler] = []
        for t in 0..<targets {
            let g = factory.makeRecorder(label: "inferscale_desired_replicas", dimensions: [("target", "ns/m\(t)")], aggregate: false)
            g.record(Double(t % 7))
            gauges.append(g)
            factory.makeCounter(label: "inferscale_decisions_total", dimensions: [("target", "ns/m\(t)"), ("reason", "stable")]).increment(by: 3)
            factory.makeTimer(label: "inferscale_scrape_duration_seconds", dimensions: [("target", "ns/m\(t)")]).recordNanoseconds(20_000_000)
        }
        factory.makeCounter(label: "inferscale_scrape_round_overruns_total", dimensions: []).increment(by: 2)
        factory.makeRecorder(label: "inferscale_leader", dimensions: [], aggregate: false).record(1.0)
        return gauges
    }

    /// Lines by family (the name in its `# TYPE` line), in emitted order, and how often each `# TYPE` came.
    private static func families(_ text: String) -> (lines: [String: Set<String>], types: [String: Int], contiguous: Bool) {
        var lines: [String: Set<String>] = [:], types: [String: Int] = [:], current = "", closed: Set<String> = []
        var contiguous = true
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let name = String(line.dropFirst(7).prefix { $0 != " " })
                types[name, default: 0] += 1
                if !current.isEmpty { closed.insert(current) }
                if closed.contains(name) { contiguous = false }
                current = name
            }
            lines[current, default: []].insert(line)
        }
        return (lines, types, contiguous)
    }

    @Test func emitsWhatOneRegistryEmitsEachFamilyOnce() {
        let one = PartitionedMetricsRegistry(partitions: 1), many = PartitionedMetricsRegistry(partitions: 16)
        _ = Self.register(one.factory, targets: 200)
        _ = Self.register(many.factory, targets: 200)
        let expected = Self.families(String(decoding: one.emitToBuffer(), as: UTF8.self))
        let merged = Self.families(String(decoding: many.emitToBuffer(), as: UTF8.self))
        #expect(merged.lines == expected.lines)
        #expect(merged.types.count == 5)
        #expect(merged.types.values.allSatisfy { $0 == 1 }, "a family's # TYPE came more than once: \(merged.types)")
        #expect(merged.contiguous, "a family's lines were split by another family's")
        // 200 targets' series in 16 partitions: more than one partition holds some (a count, not a timing).
        let used = many.registries.filter { !$0.emitToBuffer().isEmpty }.count
        #expect(used > 8)
    }

    /// The point of the partitions: at 10,000 targets no partition's family holds more than a small multiple of
    /// 10,000 / 64 series, so an insertion copies that many, not 10,000.
    @Test func tenThousandTargetsSpreadOverThePartitions() {
        let registry = PartitionedMetricsRegistry()
        _ = Self.register(registry.factory, targets: 10_000)
        let perPartition = registry.registries.map { r in
            String(decoding: r.emitToBuffer(), as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("inferscale_desired_replicas{") }.count
        }
        #expect(perPartition.reduce(0, +) == 10_000)
        #expect(perPartition.max()! < 2 * 10_000 / PartitionedMetricsRegistry.defaultPartitions, "\(perPartition)")
        // A target's series sit in one partition.
        let holder = PartitionedMetricsRegistry.partition(of: [("target", "ns/m42")], count: registry.registries.count)
        let text = String(decoding: registry.registries[holder].emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"inferscale_desired_replicas{target="ns/m42"}"#))
        #expect(text.contains(#"inferscale_decisions_total{target="ns/m42",reason="stable"}"#) || text.contains(#"inferscale_decisions_total{reason="stable",target="ns/m42"}"#))
    }

    @Test func destroyingAHandleRemovesItsSeriesFromItsPartition() {
        let registry = PartitionedMetricsRegistry(partitions: 8)
        let gauges = Self.register(registry.factory, targets: 20)
        registry.factory.destroyRecorder(gauges[3])
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(!text.contains(#"inferscale_desired_replicas{target="ns/m3"}"#))
        #expect(text.contains(#"inferscale_desired_replicas{target="ns/m4"}"#))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("inferscale_desired_replicas{") }.count == 19)
    }
}
