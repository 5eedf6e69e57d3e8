import Exposition

/// Finds samples by their full sample name, whichever family holds them: Prometheus text names a
/// counter's family `x_total`, OpenMetrics names it `x`, and the sample is `x_total` in both.
struct SampleQuery {
    let exposition: ParsedExposition
    /// The sample names this query may be asked for (checked in debug builds), or nil for any.
    var listed: Set<String>? = nil

    /// The family names that may hold samples called `name`: the name itself, and the name without a
    /// counter's, histogram's or summary's suffix.
    static func families(holding name: String) -> [String] {
        var candidates = [name]
        for suffix in ["_total", "_bucket", "_sum", "_count", "_created"] where name.hasSuffix(suffix) {
            candidates.append(String(name.dropLast(suffix.count)))
        }
        return candidates
    }

    /// `families(holding:)` of every sample name a runtime's signals read, worked out once: the signals of every
    /// scrape ask for the same few names.
    private static let holdingFamilies: [String: [String]] = {
        var byName: [String: [String]] = [:]
        for runtime in Runtime.allCases {
            for name in RuntimeSignals.sampleNames(runtime) { byName[name] = families(holding: name) }
        }
        return byName
    }()

    /// The family that holds samples called `name` (not NaN): the first of `families(holding:)` that has one.
    private func family(holding name: String) -> MetricFamily? {
        assert(listed?.contains(name) ?? true, "\(name) is read but not listed in RuntimeSignals.sampleNames; a filtered scrape would miss it")
        for familyName in Self.holdingFamilies[name] ?? Self.families(holding: name) {
            if let family = exposition[family: familyName], family.samples.contains(where: { $0.name == name && !$0.value.isNaN }) {
                return family
            }
        }
        return nil
    }

    func samples(_ name: String) -> [Sample] {
        family(holding: name)?.samples.filter { $0.name == name && !$0.value.isNaN } ?? []
    }

    /// The sum over all series (engines, models, label values), or `nil` when there is none.
    func sum(_ name: String) -> Double? {
        guard let family = family(holding: name) else { return nil }
        var total = 0.0
        for sample in family.samples where sample.name == name && !sample.value.isNaN { total += sample.value }
        return total
    }

    /// An info metric's two numeric labels multiplied, summed over its series (engines): vLLM's
    /// `cache_config_info{num_gpu_blocks, block_size}` gives KV tokens. A series whose labels are
    /// missing or not numbers (`num_gpu_blocks="None"` before the cache is profiled) counts for
    /// nothing; nil when none counts.
    func infoProduct(_ name: String, _ a: String, _ b: String) -> Double? {
        let values = samples(name).compactMap { s -> Double? in
            guard let x = s.labels[a].flatMap(Double.init), let y = s.labels[b].flatMap(Double.init), x > 0, y > 0 else { return nil }
            return x * y
        }
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// The largest value over all series, or `nil` when there is none.
    func max(_ name: String) -> Double? {
        guard let family = family(holding: name) else { return nil }
        var largest = -Double.infinity
        for sample in family.samples where sample.name == name && !sample.value.isNaN { largest = Swift.max(largest, sample.value) }
        return largest
    }

    /// Tensor-parallel ranks each export the same scheduler figure: take the largest over `rank`
    /// within each remaining label set, then sum those (data-parallel engines add up).
    func sumOfMax(_ name: String, over rank: String) -> Double? {
        let found = samples(name)
        guard !found.isEmpty else { return nil }
        var groups: [Labels: Double] = [:]
        for sample in found {
            let key = Labels(sample.labels.filter { $0.name != rank })
            groups[key] = Swift.max(groups[key] ?? -.infinity, sample.value)
        }
        return groups.values.reduce(0, +)
    }

    /// A histogram merged over all its series, with bounds and sum multiplied by `scale` (to seconds).
    func histogram(_ name: String, scale: Double = 1) -> LatencyHistogram? {
        let bucketName = name + "_bucket"
        guard let family = family(holding: bucketName), let count = sum(name + "_count") else { return nil }
        // Buckets by bound, series after series: sorted, with the counts of equal bounds added in the order read.
        var buckets: [(bound: Double, count: Double, order: Int)] = []
        for sample in family.samples where sample.name == bucketName && !sample.value.isNaN {
            guard let text = sample.labels["le"], let bound = Self.bound(text) else { continue }
            buckets.append((bound * scale, sample.value, buckets.count))
        }
        var merged: [LatencyHistogram.Bucket] = []
        if buckets.contains(where: { $0.bound.isNaN }) {
            // No order puts a NaN bound anywhere; each stays a bucket of its own, as a dictionary keyed by it gives.
            var byBound: [Double: Double] = [:]
            for bucket in buckets { byBound[bucket.bound, default: 0] += bucket.count }
            merged = byBound.sorted { $0.key < $1.key }.map { LatencyHistogram.Bucket(upperBound: $0.key, cumulativeCount: $0.value) }
        } else {
            buckets.sort { $0.bound != $1.bound ? $0.bound < $1.bound : $0.order < $1.order }
            for bucket in buckets {
                if let last = merged.last, last.upperBound == bucket.bound {
                    merged[merged.count - 1].cumulativeCount += bucket.count
                } else {
                    merged.append(LatencyHistogram.Bucket(upperBound: bucket.bound, cumulativeCount: 0 + bucket.count))
                }
            }
        }
        return LatencyHistogram(buckets: merged, count: count, sum: (sum(name + "_sum") ?? 0) * scale)
    }

    /// A bucket's `le` bound as `Double(text)` reads it. Exporters write short decimals ("0.005", "2.5", "+Inf"): those
    /// are read here from their digits (one correctly rounded division or multiplication, so the same double), the
    /// rest by `Double(text)`.
    static func bound(_ text: String) -> Double? {
        if text == "+Inf" { return .infinity }
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, point = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard !point else { return Double(text) }
                point = true
            } else if byte &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa * 10 + UInt64(byte &- UInt8(ascii: "0"))
                digits += 1
                if point { fraction += 1 }
                guard digits <= 15 else { return Double(text) }
            } else {
                return Double(text)
            }
        }
        guard digits > 0 else { return Double(text) }
        return fraction == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fraction]
    }

    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]
}
