/// Joins several Prometheus text expositions (one per registry partition) into one in which each family appears
/// once: its `# HELP`/`# TYPE` lines from the first exposition that has the family, then its series lines from
/// every exposition in the order they were added. A scraper rejects a family whose `# TYPE` comes twice, and the
/// partitions of `PartitionedMetricsRegistry` each hold some series of the same families.
///
/// It keeps byte ranges into the expositions rather than copying lines, so a 10,000-target page (tens of MB) costs
/// one pass to index and one to write.
struct ExpositionMerge {
    private struct Family {
        /// The header lines (`# HELP`, `# TYPE`) of the first exposition that had the family.
        var header: (part: Int, range: Range<Int>)?
        /// Runs of series lines, in order.
        var series: [(part: Int, range: Range<Int>)] = []
    }

    private var families: [Family] = []
    private var byName: [String: Int] = [:]

    /// Indexes exposition number `part` (the same number is passed with its bytes to `write`).
    mutating func add(_ text: [UInt8], partition part: Int) {
        var current: Int?, currentName = ""
        // Whether the previous line was a header line, and whether this exposition's header of the current family
        // is the one kept (the first seen) or a repeat, dropped.
        var inHeader = false, keepHeader = false
        var start = 0
        while start < text.count {
            var end = start
            while end < text.count && text[end] != UInt8(ascii: "\n") { end += 1 }
            let next = min(end + 1, text.count)
            if let name = Self.headerName(text, start, end) {
                if !(inHeader && name == currentName) {
                    let k = family(named: name)
                    current = k
                    currentName = name
                    keepHeader = families[k].header == nil
                    if keepHeader { families[k].header = (part, start..<start) }
                }
                inHeader = true
                if keepHeader, let k = current, let h = families[k].header { families[k].header = (h.part, h.range.lowerBound..<next) }
            } else {
                inHeader = false
                let k = current ?? family(named: "")
                current = k
                if let last = families[k].series.last, last.part == part, last.range.upperBound == start {
                    families[k].series[families[k].series.count - 1].range = last.range.lowerBound..<next
                } else {
                    families[k].series.append((part, start..<next))
                }
            }
            start = next
        }
    }

    /// Writes the families in the order they were first seen. `parts` are the expositions passed to `add`, by number.
    func write(_ parts: [[UInt8]], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + parts.reduce(0) { $0 + $1.count })
        for family in families {
            if let h = family.header { out.append(contentsOf: parts[h.part][h.range]) }
            for run in family.series { out.append(contentsOf: parts[run.part][run.range]) }
        }
    }

    private mutating func family(named name: String) -> Int {
        if let k = byName[name] { return k }
        byName[name] = families.count
        families.append(Family())
        return families.count - 1
    }

    /// The family a `# HELP name …` or `# TYPE name …` line names; nil for any other line.
    private static func headerName(_ text: [UInt8], _ start: Int, _ end: Int) -> String? {
        let prefixes: [[UInt8]] = [Array("# HELP ".utf8), Array("# TYPE ".utf8)]
        guard end - start > 7, prefixes.contains(where: { text[start..<start + 7].elementsEqual($0) }) else { return nil }
        var nameEnd = start + 7
        while nameEnd < end && text[nameEnd] != UInt8(ascii: " ") { nameEnd += 1 }
        return String(decoding: text[(start + 7)..<nameEnd], as: UTF8.self)
    }
}
