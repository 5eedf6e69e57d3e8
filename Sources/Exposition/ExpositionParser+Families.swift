// Which family each line belongs to, and the rules about how families may follow one another.

extension ExpositionParser {
    private var strict: Bool { format == .openMetrics }

    /// The family a `# HELP`/`# TYPE`/`# UNIT` line describes, opening it if needed.
    mutating func family<Sink: SampleSink>(forMetadata nameID: Int32, _ cursor: inout Cursor, into visitor: inout Sink) throws(ExpositionError) -> Int {
        if current >= 0, families[current].nameID == nameID {
            if families[current].hasSamples && strict {
                throw cursor.error(.invalidMetadata, "metadata for \(families[current].name) after its samples; HELP, TYPE and UNIT must come before the first sample", at: cursor.lineStart)
            }
            return current
        }
        if let existing = familyIndex[nameID] {
            if strict {
                throw cursor.error(.familyOrder, "metadata for \(families[existing].name), which appeared earlier (line \(families[existing].line)); a family's lines must be together", at: cursor.lineStart)
            }
            try closeFamily(&cursor, into: &visitor)
            current = existing
            families[existing].begun = false
            return existing
        }
        try closeFamily(&cursor, into: &visitor)
        try openFamily(nameID, &cursor)
        return current
    }

    /// Sets a family's type and the sample names that go with it.
    mutating func setType(_ type: MetricType, family index: Int, _ cursor: inout Cursor) throws(ExpositionError) {
        // Both formats: samples already filed under the old type would be misread.
        if families[index].hasSamples {
            throw cursor.error(.invalidMetadata, "\"# TYPE\" for \(families[index].name) after its samples; TYPE must come before the first sample", at: cursor.lineStart)
        }
        families[index].type = type
        let name = families[index].name
        families[index].accepted = acceptedNames(families[index].nameID, type)
        if strict {
            for entry in families[index].accepted where entry.kind != .plain {
                if let other = familyIndex[entry.id] {
                    throw cursor.error(.familyOrder, "\(name) of type \(type.rawValue) has samples named \(interner[entry.id]), which clashes with the family \(families[other].name) on line \(families[other].line)", at: cursor.lineStart)
                }
            }
            try checkUnitAllowed(index, &cursor)
        }
    }

    /// The sample names (ids) and kinds a family called `nameID` of `type` accepts, built once per name and type and
    /// kept with the interned strings: a steady pod's body then costs no string or array per family.
    mutating func acceptedNames(_ nameID: Int32, _ type: MetricType) -> [(id: Int32, kind: SampleKind)] {
        let index = Int(nameID)
        if index >= nameFacts.count { nameFacts.append(contentsOf: repeatElement(FamilyNameFacts(), count: index + 1 - nameFacts.count)) }
        let key = type.ordinal << 1 | (strict ? 1 : 0)
        if type == .unknown, nameFacts[index].untypedKey == key { return nameFacts[index].untyped }
        if type != .unknown, nameFacts[index].typedKey == key { return nameFacts[index].typed }
        let name = interner[nameID]
        let accepted = SampleKind.kinds(for: type, format: format).map { kind in
            (id: kind == .plain ? nameID : interner.intern(name + kind.suffix), kind: kind)
        }
        if type == .unknown {
            (nameFacts[index].untypedKey, nameFacts[index].untyped) = (key, accepted)
        } else {
            (nameFacts[index].typedKey, nameFacts[index].typed) = (key, accepted)
        }
        return accepted
    }

    /// Whether the filter of the parse in progress leaves out the family called `nameID` (false without a filter),
    /// worked out once per name and filter.
    mutating func isDropped(_ nameID: Int32, name: String) -> Bool {
        guard let keeping else { return false }
        let index = Int(nameID)
        if index >= nameFacts.count { nameFacts.append(contentsOf: repeatElement(FamilyNameFacts(), count: index + 1 - nameFacts.count)) }
        if nameFacts[index].filterGeneration != filterGeneration {
            nameFacts[index].filterGeneration = filterGeneration
            nameFacts[index].dropped = !keeping.keeps(name)
        }
        return nameFacts[index].dropped
    }

    mutating func checkUnitAllowed(_ index: Int, _ cursor: inout Cursor) throws(ExpositionError) {
        guard let unit = families[index].unit, !unit.isEmpty else { return }
        if families[index].type == .info || families[index].type == .stateSet {
            throw cursor.error(.invalidMetadata, "\(families[index].name) is of type \(families[index].type.rawValue), which cannot have a unit", at: cursor.lineStart)
        }
    }

    private mutating func openFamily(_ nameID: Int32, _ cursor: inout Cursor) throws(ExpositionError) {
        let name = interner[nameID]
        if strict {
            // The new name must not be a sample name of an earlier family (e.g. `a_created` after counter `a`).
            for kind in [SampleKind.total, .created, .bucket, .sum, .count, .gsum, .gcount, .info] where name.hasSuffix(kind.suffix) {
                let prefix = String(name.dropLast(kind.suffix.utf8.count))
                if let prefixID = interner.lookup(prefix), let owner = familyIndex[prefixID], families[owner].kind(of: nameID) != nil {
                    throw cursor.error(.familyOrder, "\(name) is a sample name of family \(families[owner].name) (line \(families[owner].line)); its samples must be with that family", at: cursor.lineStart)
                }
            }
        }
        var record = FamilyRecord(nameID: nameID, name: name, line: cursor.line)
        record.accepted = acceptedNames(nameID, .unknown)
        record.dropped = isDropped(nameID, name: name)
        current = families.count
        familyIndex[nameID] = current
        families.append(record)
        checker.startFamily()
    }

    /// Ends the current run of a family: final checks, and a visitor call for metadata-only families.
    mutating func closeFamily<Sink: SampleSink>(_ cursor: inout Cursor, into visitor: inout Sink) throws(ExpositionError) {
        guard current >= 0 else { return }
        if strict { try checker.finishFamily(families[current]) }
        // A family the parse does not keep never reaches the sink.
        if !families[current].begun && !families[current].dropped { begin(current, &visitor) }
        current = -1
    }

    private mutating func begin<Sink: SampleSink>(_ index: Int, _ visitor: inout Sink) {
        families[index].begun = true
        let family = families[index]
        visitor.beginFamily(name: family.name, type: family.type, help: family.help, unit: family.unit)
    }

    /// Files the sample just parsed under its family, checks it, and hands it to the visitor.
    mutating func acceptSample<Sink: SampleSink>(_ cursor: inout Cursor, into visitor: inout Sink) throws(ExpositionError) {
        sampleCount += 1
        if sampleCount > limits.maxSamples {
            throw ExpositionError(.limitExceeded, "more than \(limits.maxSamples) samples in one body", line: line.line, column: 1)
        }
        let nameID = line.nameID
        var kind: SampleKind
        if current >= 0, let found = families[current].kind(of: nameID) {
            kind = found
        } else if strict {
            if let existing = familyIndex[nameID] {
                let family = families[existing]
                if existing == current {
                    let expected = family.accepted.map { interner[$0.id] }.joined(separator: ", ")
                    throw ExpositionError(.typeViolation, "sample \(family.name) does not fit its family of type \(family.type.rawValue); expected one of: \(expected)", line: line.line, column: 1)
                }
                throw ExpositionError(.familyOrder, "samples of \(family.name) appear again after other families (first on line \(family.line)); a family's samples must be together", line: line.line, column: 1)
            }
            try closeFamily(&cursor, into: &visitor)
            try openFamily(nameID, &cursor)
            kind = .plain
        } else {
            let (index, found) = textFamily(for: nameID)
            if let index {
                if index != current {
                    try closeFamily(&cursor, into: &visitor)
                    current = index
                    families[index].begun = false
                }
                kind = found
            } else {
                try closeFamily(&cursor, into: &visitor)
                try openFamily(nameID, &cursor)
                kind = .plain
            }
        }
        if strict {
            try checker.check(line, kind: kind, family: families[current], leID: leID, quantileID: quantileID, interner: interner)
        } else if kind == .bucket, line.labelValue(leID) == nil {
            throw ExpositionError(.typeViolation, "\(interner[nameID]) has no le label; histogram buckets need one", line: line.line, column: 1)
        } else if kind == .plain, families[current].type == .summary, line.labelValue(quantileID) == nil {
            throw ExpositionError(.typeViolation, "\(interner[nameID]) has no quantile label; summary quantile samples need one", line: line.line, column: 1)
        }
        families[current].hasSamples = true
        // The first sample of a family with no metadata comes this way even when the family is not kept.
        if families[current].dropped { return }
        if !families[current].begun { begin(current, &visitor) }

        var exemplar: Exemplar?
        if line.hasExemplar {
            var labels: [Label] = []
            var position = 0
            while position < line.exemplarLabels.count {
                labels.append(Label(name: interner[line.exemplarLabels[position]], value: interner[line.exemplarLabels[position + 1]]))
                position += 2
            }
            exemplar = Exemplar(labels: Labels(labels), value: line.exemplarValue, timestamp: line.exemplarTimestamp)
        }
        visitor.accept(line, exemplar: exemplar, interner: interner)
    }

    /// Prometheus text: an earlier family that accepts this sample name, directly or as histogram/summary part.
    private func textFamily(for nameID: Int32) -> (Int?, SampleKind) {
        if let index = familyIndex[nameID], let kind = families[index].kind(of: nameID) { return (index, kind) }
        let name = interner[nameID]
        for kind in [SampleKind.bucket, .sum, .count] where name.hasSuffix(kind.suffix) {
            let prefix = String(name.dropLast(kind.suffix.utf8.count))
            if let prefixID = interner.lookup(prefix), let index = familyIndex[prefixID], let found = families[index].kind(of: nameID) {
                return (index, found)
            }
        }
        return (nil, .plain)
    }
}

extension MetricType {
    /// A small number per type, for keys.
    fileprivate var ordinal: Int {
        switch self {
        case .counter: 0
        case .gauge: 1
        case .histogram: 2
        case .gaugeHistogram: 3
        case .summary: 4
        case .info: 5
        case .stateSet: 6
        case .unknown: 7
        }
    }
}
