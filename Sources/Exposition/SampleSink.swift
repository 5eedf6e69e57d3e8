/// Where the parser delivers families and samples. Internal sinks read the interned ids of the line
/// directly; ``VisitorSink`` adapts the public ``ExpositionVisitor``.
protocol SampleSink {
    mutating func beginFamily(name: String, type: MetricType, help: String?, unit: String?)
    /// One sample: `line` holds its interned name and label ids, resolved through `interner`.
    mutating func accept(_ line: ParsedLine, exemplar: Exemplar?, interner: StringInterner)
}

/// Hands each sample to a public visitor as a ``Sample`` whose labels live in a reused buffer.
struct VisitorSink<Visitor: ExpositionVisitor>: SampleSink {
    var visitor: Visitor
    private var scratch: [Label] = []

    init(visitor: Visitor) {
        self.visitor = visitor
    }

    mutating func beginFamily(name: String, type: MetricType, help: String?, unit: String?) {
        visitor.beginFamily(name: name, type: type, help: help, unit: unit)
    }

    mutating func accept(_ line: ParsedLine, exemplar: Exemplar?, interner: StringInterner) {
        scratch.removeAll(keepingCapacity: true)
        var index = 0
        while index < line.labels.count {
            scratch.append(Label(name: interner[line.labels[index]], value: interner[line.labels[index + 1]]))
            index += 2
        }
        visitor.sample(Sample(name: interner[line.nameID], labels: Labels(storage: scratch, range: 0..<scratch.count),
                              value: line.value, timestamp: line.timestamp, exemplar: exemplar))
    }
}
