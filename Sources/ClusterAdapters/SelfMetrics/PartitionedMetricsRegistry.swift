import CoreMetrics
import Prometheus

/// The `/metrics` registry of `inferscale run` (and of the loop benchmark): swift-prometheus's registry split into partitions by label set, behind
/// one swift-metrics factory, and emitted as one exposition.
///
/// Why: swift-prometheus 2.4.1 copies a metric family's whole series dictionary each time a series is added to it
/// or removed from it (`MetricFamily.adding` and `removing` build a new family from a copy), so registering one
/// series per target for N targets costs O(N²). At 10,000 targets (about 20 families of 10,000–30,000 series)
/// creating the targets' handles kept a replica busy for minutes and it decided nothing. Split over `partitions`
/// registries, each family holds about N / partitions series per registry and each insertion copies that many.
///
/// A series always lands in the partition of its label set (the value of its `target` label when it has one, so a
/// target's series sit together), and unlabelled series in the first, so a handle is found again and destroyed in
/// the registry that made it. `emit(into:)` writes each family once: its `# HELP`/`# TYPE` lines, then its series
/// from every partition in partition order.
public final class PartitionedMetricsRegistry: Sendable {
    /// Registries the series are spread over; 64 keeps a 100,000-series family at about 1,600 series a copy.
    public static let defaultPartitions = 64

    /// The partitions' registries (tests read them one by one).
    public let registries: [PrometheusCollectorRegistry]

    /// `partitions` registries (at least 1).
    public init(partitions: Int = PartitionedMetricsRegistry.defaultPartitions) {
        registries = (0..<max(1, partitions)).map { _ in PrometheusCollectorRegistry() }
    }

    /// The swift-metrics factory to bootstrap.
    public var factory: Factory { Factory(partitions: registries.map { PrometheusMetricsFactory(registry: $0) }) }

    /// The partition of a label set: by its `target` label when it has one, else by all of them; unlabelled: 0.
    public static func partition(of dimensions: [(String, String)], count: Int) -> Int {
        guard count > 1, !dimensions.isEmpty else { return 0 }
        var hasher = Hasher()
        if let target = dimensions.first(where: { $0.0 == "target" }) {
            hasher.combine(target.1)
        } else {
            for (name, value) in dimensions { hasher.combine(name); hasher.combine(value) }
        }
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(count))
    }

    /// Every partition's series in the Prometheus text format, each family once.
    public func emitToBuffer() -> [UInt8] {
        var out: [UInt8] = []
        emit(into: &out)
        return out
    }

    /// Appends the exposition to `out`.
    public func emit(into out: inout [UInt8]) {
        guard registries.count > 1 else { return registries[0].emit(into: &out) }
        // `emit(into:)` on fresh buffers, not `emitToBuffer()`: that keeps a buffer the size of its output in each
        // registry for good and returns a copy, twice the page's memory at rest.
        let parts = registries.map { r in
            var part: [UInt8] = []
            r.emit(into: &part)
            return part
        }
        var merge = ExpositionMerge()
        for (k, part) in parts.enumerated() { merge.add(part, partition: k) }
        merge.write(parts, into: &out)
    }

    /// The metrics factory: each handle is made by its partition's Prometheus factory and remembers the partition,
    /// so that destroying it reaches the registry that holds it.
    public struct Factory: MetricsFactory {
        /// One Prometheus factory per registry.
        public let partitions: [PrometheusMetricsFactory]

        private func index(_ dimensions: [(String, String)]) -> Int {
            PartitionedMetricsRegistry.partition(of: dimensions, count: partitions.count)
        }

        public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
            let k = index(dimensions)
            return PartitionedCounter(inner: partitions[k].makeCounter(label: label, dimensions: dimensions), partition: k)
        }

        public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
            let k = index(dimensions)
            return PartitionedFloatingPointCounter(inner: partitions[k].makeFloatingPointCounter(label: label, dimensions: dimensions), partition: k)
        }

        public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
            let k = index(dimensions)
            return PartitionedRecorder(inner: partitions[k].makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate), partition: k)
        }

        public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
            let k = index(dimensions)
            return PartitionedMeter(inner: partitions[k].makeMeter(label: label, dimensions: dimensions), partition: k)
        }

        public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
            let k = index(dimensions)
            return PartitionedTimer(inner: partitions[k].makeTimer(label: label, dimensions: dimensions), partition: k)
        }

        public func destroyCounter(_ handler: any CounterHandler) {
            guard let h = handler as? PartitionedCounter else { return }
            partitions[h.partition].destroyCounter(h.inner)
        }

        public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
            guard let h = handler as? PartitionedFloatingPointCounter else { return }
            partitions[h.partition].destroyFloatingPointCounter(h.inner)
        }

        public func destroyRecorder(_ handler: any RecorderHandler) {
            guard let h = handler as? PartitionedRecorder else { return }
            partitions[h.partition].destroyRecorder(h.inner)
        }

        public func destroyMeter(_ handler: any MeterHandler) {
            guard let h = handler as? PartitionedMeter else { return }
            partitions[h.partition].destroyMeter(h.inner)
        }

        public func destroyTimer(_ handler: any TimerHandler) {
            guard let h = handler as? PartitionedTimer else { return }
            partitions[h.partition].destroyTimer(h.inner)
        }
    }
}

// The handles: the Prometheus handle and its partition (a class each, as swift-metrics hands handlers back by
// reference to destroy them).

private final class PartitionedCounter: CounterHandler {
    let inner: any CounterHandler, partition: Int
    init(inner: any CounterHandler, partition: Int) { (self.inner, self.partition) = (inner, partition) }
    func increment(by amount: Int64) { inner.increment(by: amount) }
    func reset() { inner.reset() }
}

private final class PartitionedFloatingPointCounter: FloatingPointCounterHandler {
    let inner: any FloatingPointCounterHandler, partition: Int
    init(inner: any FloatingPointCounterHandler, partition: Int) { (self.inner, self.partition) = (inner, partition) }
    func increment(by amount: Double) { inner.increment(by: amount) }
    func reset() { inner.reset() }
}

private final class PartitionedRecorder: RecorderHandler {
    let inner: any RecorderHandler, partition: Int
    init(inner: any RecorderHandler, partition: Int) { (self.inner, self.partition) = (inner, partition) }
    func record(_ value: Int64) { inner.record(value) }
    func record(_ value: Double) { inner.record(value) }
}

private final class PartitionedMeter: MeterHandler {
    let inner: any MeterHandler, partition: Int
    init(inner: any MeterHandler, partition: Int) { (self.inner, self.partition) = (inner, partition) }
    func set(_ value: Int64) { inner.set(value) }
    func set(_ value: Double) { inner.set(value) }
    func increment(by amount: Double) { inner.increment(by: amount) }
    func decrement(by amount: Double) { inner.decrement(by: amount) }
}

private final class PartitionedTimer: TimerHandler {
    let inner: any TimerHandler, partition: Int
    init(inner: any TimerHandler, partition: Int) { (self.inner, self.partition) = (inner, partition) }
    func recordNanoseconds(_ duration: Int64) { inner.recordNanoseconds(duration) }
}
