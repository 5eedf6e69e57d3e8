/// The OpenMetrics 1.0 rules that span several lines of one family: label groups must be contiguous,
/// a series repeats only with increasing timestamps, and each histogram group is complete and consistent.
///
/// Per-sample value rules are checked here too, so the parser core only deals with syntax.
struct OpenMetricsChecker {
    private var groupKey: [Int32] = []
    private var candidateKey: [Int32] = []
    private var hasGroup = false
    private var groupLine = 0
    private var groupTimestamp: Double?
    /// Hash of each group key seen in the family → its offset in `keyStore` (length first, then ids).
    private var seenGroups: [UInt64: Int] = [:]
    private var keyStore: [Int32] = []

    private var previousNameID: Int32 = -1
    private var previousLabels: [Int32] = []
    private var previousTimestamp: Double?

    private var histogram = HistogramRun()

    /// Bucket bounds and quantiles by value id, since the same strings repeat in every series; NaN marks
    /// "not parsed yet" (canonical bounds are never NaN).
    private var numberCache: [Double] = []

    struct HistogramRun {
        var lastBound = -Double.infinity
        var lastBucketValue = 0.0
        var hasBuckets = false
        var infinityValue: Double?
        var count: Double?
        var hasSum = false
        var hasGSum = false
        var negativeBucket = false
        var negativeGSum = false
        var hasAny = false
    }

    mutating func startFamily() {
        hasGroup = false
        seenGroups.removeAll(keepingCapacity: true)
        keyStore.removeAll(keepingCapacity: true)
        previousNameID = -1
        previousLabels.removeAll(keepingCapacity: true)
        previousTimestamp = nil
        histogram = HistogramRun()
    }

    /// Checks one sample of a family of `type` whose name is `kind`.
    mutating func check(
        _ sample: ParsedLine, kind: SampleKind, family: FamilyRecord,
        leID: Int32, quantileID: Int32, interner: StringInterner
    ) throws(ExpositionError) {
        let type = family.type
        func violation(_ message: String) -> ExpositionError {
            ExpositionError(.typeViolation, message, line: sample.line, column: 1)
        }
        let value = sample.value
        // Only error messages need the name; looking it up lazily keeps a retain off every sample.
        var sampleName: String { interner[sample.nameID] }

        // Values: counts can't be NaN or negative; info is 1; stateset is 0 or 1.
        switch (type, kind) {
        case (.counter, .total), (.histogram, .bucket), (.histogram, .count), (.histogram, .sum),
             (.gaugeHistogram, .bucket), (.gaugeHistogram, .gcount), (.summary, .count), (.summary, .sum):
            if value.isNaN || value < 0 {
                throw violation("\(sampleName) is \(value), but a \(type.rawValue) \(kind.suffix) sample must be a non-negative number")
            }
        case (.gaugeHistogram, .gsum):
            if value.isNaN { throw violation("\(sampleName) is NaN, but a gauge histogram _gsum must be a number") }
        case (.summary, .plain):
            if value < 0 { throw violation("\(sampleName) quantile value \(value) is negative") }
        case (.info, _):
            if value != 1 { throw violation("info sample \(sampleName) is \(value); info values must be 1") }
        case (.stateSet, _):
            if value != 0 && value != 1 { throw violation("stateset sample \(sampleName) is \(value); states must be 0 or 1") }
        default:
            break
        }

        // Labels a type requires.
        var excludedLabel: Int32 = -1
        switch (type, kind) {
        case (.histogram, .bucket), (.gaugeHistogram, .bucket):
            excludedLabel = leID
            guard let id = sample.labelValue(leID) else { throw violation("\(sampleName) has no le label; histogram buckets need one") }
            guard number(id, interner) != nil else {
                throw violation("le=\"\(interner[id])\" on \(sampleName) is not a number (write infinity as +Inf)")
            }
        case (.summary, .plain):
            excludedLabel = quantileID
            guard let id = sample.labelValue(quantileID) else { throw violation("\(sampleName) has no quantile label; summary quantile samples need one") }
            guard let quantile = number(id, interner), quantile >= 0, quantile <= 1 else {
                throw violation("quantile=\"\(interner[id])\" on \(sampleName) must be a number from 0 to 1")
            }
        case (.summary, _):
            excludedLabel = quantileID
        case (.histogram, _), (.gaugeHistogram, _):
            excludedLabel = leID
        case (.stateSet, _):
            if sample.labelValue(family.nameID) == nil {
                throw violation("stateset sample \(sampleName) has no label named \(family.name) to hold its state")
            }
        default:
            break
        }

        if sample.hasExemplar {
            let allowed = (type == .counter && kind == .total) || ((type == .histogram || type == .gaugeHistogram) && kind == .bucket)
            if !allowed {
                throw ExpositionError(.invalidExemplar, "exemplars are only allowed on counter _total and histogram _bucket samples, not on \(sampleName)", line: sample.line, column: 1)
            }
        }

        // Group: the labels without le/quantile. A group ends when the next one starts, and may not return.
        candidateKey.removeAll(keepingCapacity: true)
        var index = 0
        while index < sample.labels.count {
            if sample.labels[index] != excludedLabel {
                candidateKey.append(sample.labels[index])
                candidateKey.append(sample.labels[index + 1])
            }
            index += 2
        }
        if !hasGroup || candidateKey != groupKey {
            if hasGroup { try finishGroup(type: type, familyName: family.name) }
            try enterGroup(line: sample.line, familyName: family.name)
            groupTimestamp = sample.timestamp
        } else if sample.timestamp != groupTimestamp, type == .histogram || type == .gaugeHistogram {
            // The same histogram exposed again at a later timestamp starts a fresh run of buckets.
            try finishGroup(type: type, familyName: family.name)
            groupLine = sample.line
            groupTimestamp = sample.timestamp
        }

        // A series may repeat only when every occurrence has a timestamp and time does not go backwards.
        if sample.nameID == previousNameID, sample.labels == previousLabels {
            guard let now = sample.timestamp, let before = previousTimestamp else {
                throw ExpositionError(.familyOrder, "series \(sampleName) appears twice; repeated series need timestamps on every line", line: sample.line, column: 1)
            }
            if now < before {
                throw ExpositionError(.familyOrder, "timestamp \(now) of \(sampleName) is earlier than the previous one (\(before))", line: sample.line, column: 1)
            }
        }
        previousNameID = sample.nameID
        previousLabels.removeAll(keepingCapacity: true)
        previousLabels.append(contentsOf: sample.labels)
        previousTimestamp = sample.timestamp

        if type == .histogram || type == .gaugeHistogram {
            switch kind {
            case .bucket:
                guard let id = sample.labelValue(leID), let bound = number(id, interner) else { break }
                if histogram.hasBuckets && bound <= histogram.lastBound {
                    throw violation("bucket le=\"\(interner[id])\" of \(sampleName) is not above the previous bucket; buckets must be in increasing order of le")
                }
                if histogram.hasBuckets && value < histogram.lastBucketValue {
                    throw violation("bucket le=\"\(interner[id])\" of \(sampleName) counts \(value), less than the bucket below it (\(histogram.lastBucketValue)); buckets are cumulative")
                }
                histogram.hasBuckets = true
                histogram.lastBound = bound
                histogram.lastBucketValue = value
                if bound < 0 { histogram.negativeBucket = true }
                if bound == .infinity { histogram.infinityValue = value }
                histogram.hasAny = true
            case .count, .gcount:
                histogram.count = value
                histogram.hasAny = true
            case .sum:
                histogram.hasSum = true
                histogram.hasAny = true
            case .gsum:
                histogram.hasGSum = true
                if value < 0 { histogram.negativeGSum = true }
                histogram.hasAny = true
            default:
                break
            }
        }
    }

    /// Checks what can only be judged once the family is complete.
    mutating func finishFamily(_ family: FamilyRecord) throws(ExpositionError) {
        if hasGroup { try finishGroup(type: family.type, familyName: family.name) }
        hasGroup = false
    }

    private mutating func number(_ id: Int32, _ interner: StringInterner) -> Double? {
        let index = Int(id)
        if index < numberCache.count, !numberCache[index].isNaN { return numberCache[index] }
        var text = interner[id]
        let value = text.withUTF8 { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            return NumberParser.parseDouble(base, buffer.count, specials: .canonicalInfinity)
        }
        if let value {
            if index >= numberCache.count {
                numberCache.append(contentsOf: repeatElement(.nan, count: index + 1 - numberCache.count))
            }
            numberCache[index] = value
        }
        return value
    }

    private mutating func enterGroup(line: Int, familyName: String) throws(ExpositionError) {
        // Only needs to spread keys; equal hashes are confirmed against the stored key below.
        let hash = candidateKey.withUnsafeBytes { bytes in
            StringInterner.hash(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        if let offset = seenGroups[hash] {
            let length = Int(keyStore[offset])
            if length == candidateKey.count, keyStore[(offset + 1)..<(offset + 1 + length)].elementsEqual(candidateKey) {
                throw ExpositionError(.familyOrder, "samples of \(familyName) with these labels appeared earlier, separated by other label sets; keep each label set's samples together", line: line, column: 1)
            }
        } else {
            seenGroups[hash] = keyStore.count
            keyStore.append(Int32(candidateKey.count))
            keyStore.append(contentsOf: candidateKey)
        }
        swap(&groupKey, &candidateKey)
        hasGroup = true
        groupLine = line
        histogram = HistogramRun()
    }

    private mutating func finishGroup(type: MetricType, familyName: String) throws(ExpositionError) {
        defer { histogram = HistogramRun() }
        guard type == .histogram || type == .gaugeHistogram, histogram.hasAny else { return }
        func violation(_ message: String) -> ExpositionError {
            ExpositionError(.typeViolation, message, line: groupLine, column: 1)
        }
        let gauge = type == .gaugeHistogram
        let countName = gauge ? "_gcount" : "_count"
        let sumName = gauge ? "_gsum" : "_sum"
        guard let infinity = histogram.infinityValue else {
            throw violation("histogram \(familyName) has no le=\"+Inf\" bucket in the group starting here")
        }
        if let count = histogram.count, count != infinity {
            throw violation("\(familyName)\(countName) is \(count) but the +Inf bucket is \(infinity); they must be equal")
        }
        let hasSum = gauge ? histogram.hasGSum : histogram.hasSum
        if hasSum && histogram.count == nil {
            throw violation("\(familyName) has \(sumName) without \(countName); give both or neither")
        }
        if !hasSum && histogram.count != nil {
            throw violation("\(familyName) has \(countName) without \(sumName); give both or neither")
        }
        if !gauge && histogram.negativeBucket && histogram.hasSum {
            throw violation("histogram \(familyName) has negative buckets, so it may not have a _sum")
        }
        if gauge && histogram.negativeGSum && !histogram.negativeBucket {
            throw violation("\(familyName)_gsum is negative but no bucket is below zero")
        }
    }
}
