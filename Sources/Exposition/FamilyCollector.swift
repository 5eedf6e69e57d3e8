/// The sink behind ``ExpositionParser/parse(_:)``: it gathers samples into ``MetricFamily`` values, with
/// one label storage array per family run rather than one per sample. A filtered parse hands it only the families it
/// keeps.
struct FamilyCollector: SampleSink {
    private struct Pending {
        var name: String
        var labelStart: Int
        var labelEnd: Int
        var value: Double
        var timestamp: Double?
        var exemplar: Exemplar?
    }

    private var families: [MetricFamily] = []
    /// Family names to positions; sized for a runtime's few kept families at once, then handed to the result.
    private var index = [String: Int](minimumCapacity: 16)
    private var current = -1
    private var labels: [Label] = []
    private var pending: [Pending] = []

    mutating func beginFamily(name: String, type: MetricType, help: String?, unit: String?) {
        flush()
        if let existing = index[name] {
            // Prometheus text may split a family into several runs; they are one family.
            current = existing
            if families[existing].help == nil { families[existing].help = help }
            if families[existing].unit == nil { families[existing].unit = unit }
        } else {
            current = families.count
            index[name] = current
            families.append(MetricFamily(name: name, type: type, help: help, unit: unit))
        }
    }

    mutating func accept(_ line: ParsedLine, exemplar: Exemplar?, interner: StringInterner) {
        let start = labels.count
        var index = 0
        while index < line.labels.count {
            labels.append(Label(name: interner[line.labels[index]], value: interner[line.labels[index + 1]]))
            index += 2
        }
        pending.append(Pending(name: interner[line.nameID], labelStart: start, labelEnd: labels.count,
                               value: line.value, timestamp: line.timestamp, exemplar: exemplar))
    }

    mutating func finish() -> ParsedExposition {
        flush()
        return ParsedExposition(families: families, uniqueIndex: index)
    }

    private mutating func flush() {
        guard current >= 0, !pending.isEmpty else { return }
        let storage = labels
        var samples: [Sample] = []
        samples.reserveCapacity(pending.count)
        for entry in pending {
            samples.append(Sample(name: entry.name, labels: Labels(storage: storage, range: entry.labelStart..<entry.labelEnd),
                                  value: entry.value, timestamp: entry.timestamp, exemplar: entry.exemplar))
        }
        if families[current].samples.isEmpty {
            families[current].samples = samples
        } else {
            families[current].samples.append(contentsOf: samples)
        }
        labels = []
        pending.removeAll(keepingCapacity: true)
    }
}
