// The line grammar of both formats. OpenMetrics is strict (single spaces, no blank lines, `# EOF`);
// Prometheus text accepts runs of blanks, blank lines, comments and a trailing comma in label sets.

extension ExpositionParser {
    private var strict: Bool { format == .openMetrics }

    mutating func parseBody<Sink: SampleSink>(_ cursor: inout Cursor, into visitor: inout Sink) throws(ExpositionError) {
        var sawEOF = false
        while cursor.pos < cursor.end {
            if !strict {
                while cursor.peek == 0x20 || cursor.peek == 0x09 { cursor.pos += 1 }
                if cursor.peek == 0x0D { try skipLineEndCR(&cursor) }
            }
            switch cursor.peek {
            case 0x0A:
                if strict { throw cursor.error(.syntax, "blank line; OpenMetrics does not allow empty lines") }
                cursor.consumeNewline()
            case -1:
                break
            case 0x23: // '#'
                if try parseHashLine(&cursor, into: &visitor) {
                    sawEOF = true
                }
            default:
                if try skipDroppedSample(&cursor) { break }
                try parseSampleLine(&cursor)
                try acceptSample(&cursor, into: &visitor)
            }
            if sawEOF { break }
        }
        if strict {
            if !sawEOF {
                throw cursor.error(.endOfFile, "the body does not end with \"# EOF\"; it may have been truncated")
            }
            if cursor.pos < cursor.end {
                throw cursor.error(.endOfFile, "text after \"# EOF\"; nothing may follow it")
            }
        } else if Self.lastLineUnterminated(cursor) {
            // The text format ends every line, the last one too, with a line feed; a body cut short mid-line
            // would otherwise give a wrong last value (Prometheus's parsers reject it the same way).
            throw cursor.error(.endOfFile, "the body does not end with a line feed; it may have been truncated")
        }
        try closeFamily(&cursor, into: &visitor)
    }

    /// Whether the body's last line has something other than blanks and tabs and no line feed after it. A CR
    /// counts: it is no blank (the spec separates tokens by "blanks and/or tabs"), and one that no line feed
    /// follows is a CR LF cut short.
    private static func lastLineUnterminated(_ cursor: Cursor) -> Bool {
        var i = cursor.end - 1
        while i >= 0 {
            switch cursor.base[i] {
            case 0x0A: return false
            case 0x20, 0x09: i -= 1
            default: return true
            }
        }
        return false
    }

    /// At the start of a line, after blanks and tabs, a CR: a blank line ending in CR LF (the end-of-line leniency
    /// of Windows-built exporters) is skipped to its line feed; a CR before a name or a comment is an error, as
    /// to Go's expfmt: the exposition format's blanks are spaces and tabs, and a CR is only read as the end of a line.
    private func skipLineEndCR(_ cursor: inout Cursor) throws(ExpositionError) {
        var i = cursor.pos
        while i < cursor.end, cursor.base[i] == 0x0D || cursor.base[i] == 0x20 || cursor.base[i] == 0x09 { i += 1 }
        if i < cursor.end, cursor.base[i] == 0x0A {
            cursor.pos = i
            return
        }
        if i == cursor.end {
            throw cursor.error(.endOfFile, "the body does not end with a line feed (a CR without its LF); it may have been truncated")
        }
        throw cursor.error(.invalidName, "a carriage return before the metric name or '#'; lines start with a name, '#', blanks or tabs")
    }

    // MARK: Comment and metadata lines

    /// Parses a line starting with `#`. Returns true for `# EOF`.
    private mutating func parseHashLine<Sink: SampleSink>(_ cursor: inout Cursor, into visitor: inout Sink) throws(ExpositionError) -> Bool {
        let lineBegin = cursor.pos
        cursor.pos += 1 // '#'
        if strict {
            guard cursor.peek == 0x20 else {
                throw cursor.error(.syntax, "a line starting with '#' must be \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"", at: lineBegin)
            }
            cursor.pos += 1
        } else {
            while cursor.peek == 0x20 || cursor.peek == 0x09 { cursor.pos += 1 }
        }
        let wordStart = cursor.pos
        while cursor.peek >= 0x41 && cursor.peek <= 0x5A { cursor.pos += 1 }
        let word = Self.keyword(cursor.base + wordStart, cursor.pos - wordStart)
        let keywordEnds = cursor.peek == 0x20 || cursor.peek == 0x09 || cursor.atEndOfLine
        switch (word, keywordEnds) {
        case ("EOF", _) where strict:
            guard cursor.atEndOfLine else {
                throw cursor.error(.endOfFile, "\"# EOF\" must be alone on its line")
            }
            if cursor.pos < cursor.end { cursor.consumeNewline() }
            return true
        case ("HELP", true), ("TYPE", true):
            try parseMetadata(word, &cursor, into: &visitor)
            return false
        case ("UNIT", true) where strict:
            try parseMetadata(word, &cursor, into: &visitor)
            return false
        default:
            if strict {
                throw cursor.error(.syntax, "unknown line \"#\(cursor.excerpt(lineBegin + 1, lineEnd(cursor)))\"; OpenMetrics only allows HELP, TYPE, UNIT and EOF after '#'", at: lineBegin)
            }
            // A plain comment in Prometheus text.
            cursor.pos = lineEnd(cursor)
            if cursor.pos < cursor.end { cursor.consumeNewline() }
            return false
        }
    }

    /// The keyword after '#' as a literal (no string is decoded per line), or "" for anything else.
    private static func keyword(_ start: UnsafePointer<UInt8>, _ count: Int) -> String {
        func equals(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == count && memoryEquals(start, literal.utf8Start, count)
        }
        if equals("HELP") { return "HELP" }
        if equals("TYPE") { return "TYPE" }
        if equals("UNIT") { return "UNIT" }
        if equals("EOF") { return "EOF" }
        return ""
    }

    private static func memoryEquals(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }

    /// Where the current line's line feed is (or the end), eight bytes at a time: help texts are long.
    func lineEnd(_ cursor: Cursor) -> Int {
        var position = cursor.pos
        while position + 8 <= cursor.end,
              !hasByte(UnsafeRawPointer(cursor.base + position).loadUnaligned(as: UInt64.self), 0x0A) {
            position += 8
        }
        while position < cursor.end && cursor.base[position] != 0x0A { position += 1 }
        return position
    }

    private mutating func parseMetadata<Sink: SampleSink>(_ keyword: String, _ cursor: inout Cursor, into visitor: inout Sink) throws(ExpositionError) {
        // Separator before the name.
        if strict {
            guard cursor.peek == 0x20 else { throw cursor.error(.invalidMetadata, "expected a space and a metric name after \"# \(keyword)\"") }
            cursor.pos += 1
        } else {
            while cursor.peek == 0x20 || cursor.peek == 0x09 { cursor.pos += 1 }
        }
        let nameStart = cursor.pos
        guard isMetricNameStart(cursor.peek) else {
            throw cursor.error(.invalidMetadata, "\"# \(keyword)\" needs a metric name")
        }
        while isMetricNameChar(cursor.peek) { cursor.pos += 1 }
        // `# TYPE` usually follows the `# HELP` of the same family: compare with it before hashing the name.
        let nameID: Int32
        if current >= 0, interner.matches(families[current].nameID, cursor.base + nameStart, cursor.pos - nameStart) {
            nameID = families[current].nameID
        } else if let id = interner.intern(cursor.base + nameStart, cursor.pos - nameStart) {
            nameID = id
        } else {
            throw cursor.error(.invalidUTF8, "metric name is not UTF-8", at: nameStart)
        }
        // Separator before the text.
        if strict {
            guard cursor.peek == 0x20 else {
                throw cursor.error(.invalidMetadata, "expected a space after the metric name in \"# \(keyword)\" (the line may not end there)")
            }
            cursor.pos += 1
        } else {
            let hadBlank = cursor.peek == 0x20 || cursor.peek == 0x09
            while cursor.peek == 0x20 || cursor.peek == 0x09 { cursor.pos += 1 }
            if !hadBlank && !cursor.atEndOfLine {
                throw cursor.error(.invalidName, "invalid character in metric name \"\(cursor.excerpt(nameStart, cursor.pos + 1))\"")
            }
        }
        let textStart = cursor.pos
        var textEnd = lineEnd(cursor)
        // Prometheus text from Windows-built exporters may end lines with CR LF.
        if !strict, textEnd > textStart, cursor.base[textEnd - 1] == 0x0D { textEnd -= 1 }
        let family = try family(forMetadata: nameID, &cursor, into: &visitor)

        switch keyword {
        case "HELP":
            if families[family].hasHelp {
                throw cursor.error(.invalidMetadata, "second \"# HELP\" for \(families[family].name)", at: cursor.lineStart)
            }
            families[family].hasHelp = true
            if families[family].dropped {
                // Not kept: only its validity matters. Unescaping swaps ASCII for ASCII, so ASCII text is valid
                // as it stands; anything else goes the full way, for the same error.
                if !Self.isASCII(cursor.base + textStart, textEnd - textStart) {
                    _ = try unescapeText(cursor.base + textStart, textEnd - textStart, quotes: strict, cursor)
                }
            } else {
                families[family].help = try unescapeText(cursor.base + textStart, textEnd - textStart, quotes: strict, cursor)
            }
        case "TYPE":
            var wordEnd = textEnd
            if !strict {
                while wordEnd > textStart, cursor.base[wordEnd - 1] == 0x20 || cursor.base[wordEnd - 1] == 0x09 || cursor.base[wordEnd - 1] == 0x0D { wordEnd -= 1 }
            }
            let word = cursor.excerpt(textStart, wordEnd)
            guard let type = metricType(word) else {
                let accepted = strict ? "counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown"
                                      : "counter, gauge, histogram, summary, untyped"
                throw cursor.error(.invalidMetadata, "unknown type \"\(word)\" for \(families[family].name); expected one of \(accepted)", at: textStart)
            }
            if families[family].hasTypeLine {
                throw cursor.error(.invalidMetadata, "second \"# TYPE\" for \(families[family].name)", at: cursor.lineStart)
            }
            families[family].hasTypeLine = true
            try setType(type, family: family, &cursor)
        default: // UNIT, OpenMetrics only
            if families[family].unit != nil {
                throw cursor.error(.invalidMetadata, "second \"# UNIT\" for \(families[family].name)", at: cursor.lineStart)
            }
            guard let unit = String(validating: UnsafeBufferPointer(start: cursor.base + textStart, count: textEnd - textStart), as: UTF8.self) else {
                throw cursor.error(.invalidUTF8, "unit is not valid UTF-8", at: textStart)
            }
            if !unit.isEmpty && !families[family].name.hasSuffix("_" + unit) {
                throw cursor.error(.invalidMetadata, "the name \(families[family].name) must end in \"_\(unit)\" to have unit \"\(unit)\"", at: textStart)
            }
            families[family].unit = unit
            try checkUnitAllowed(family, &cursor)
        }
        cursor.pos = lineEnd(cursor)
        if cursor.pos < cursor.end { cursor.consumeNewline() }
    }

    private func metricType(_ word: String) -> MetricType? {
        if strict {
            return word == "unknown" ? .unknown : MetricType(rawValue: word).flatMap { $0 == .unknown ? nil : $0 }
        }
        switch word {
        case "counter": return .counter
        case "gauge": return .gauge
        case "histogram": return .histogram
        case "summary": return .summary
        case "untyped": return .unknown
        default: return nil
        }
    }

    /// Whether every byte is below 0x80, eight at a time.
    private static func isASCII(_ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        while index + 8 <= count {
            if UnsafeRawPointer(start + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if start[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Resolves `# HELP` and `\\` (and in OpenMetrics `\"`) escapes and checks the text is UTF-8.
    private mutating func unescapeText(_ start: UnsafePointer<UInt8>, _ count: Int, quotes: Bool, _ cursor: Cursor) throws(ExpositionError) -> String {
        unescapeBuffer.removeAll(keepingCapacity: true)
        var index = 0
        while index < count {
            let byte = start[index]
            if byte == 0x5C, index + 1 < count {
                let next = start[index + 1]
                if next == 0x5C { unescapeBuffer.append(0x5C); index += 2; continue }
                if next == 0x6E { unescapeBuffer.append(0x0A); index += 2; continue }
                if quotes, next == 0x22 { unescapeBuffer.append(0x22); index += 2; continue }
            }
            unescapeBuffer.append(byte)
            index += 1
        }
        guard let text = String(validating: unescapeBuffer, as: UTF8.self) else {
            throw cursor.error(.invalidUTF8, "help text is not valid UTF-8")
        }
        return text
    }

    // MARK: Sample lines

    /// Reads a sample line into `line`, leaving the cursor at the start of the next line.
    mutating func parseSampleLine(_ cursor: inout Cursor) throws(ExpositionError) {
        line.line = cursor.line
        line.lineStart = cursor.lineStart
        let nameStart = cursor.pos
        guard isMetricNameStart(cursor.peek) else {
            throw cursor.error(.invalidName, "expected a metric name at the start of the line, found \"\(cursor.excerpt(cursor.pos, lineEnd(cursor)))\"")
        }
        // Consecutive lines usually share the metric name: compare with the last one before scanning.
        if let length = interner.plainLength(line.nameID), nameStart + length < cursor.end,
           interner.matches(line.nameID, cursor.base + nameStart, length), !isMetricNameChar(Int(cursor.base[nameStart + length])) {
            cursor.pos = nameStart + length
        } else {
            cursor.pos += 1
            while isMetricNameChar(cursor.peek) { cursor.pos += 1 }
            guard let nameID = interner.intern(cursor.base + nameStart, cursor.pos - nameStart) else {
                throw cursor.error(.invalidUTF8, "metric name is not UTF-8", at: nameStart)
            }
            line.nameID = nameID
        }
        line.hasExemplar = false
        line.timestamp = nil
        var blankAfterName = false
        if !strict {
            let nameEnd = cursor.pos
            skipBlanks(&cursor)
            blankAfterName = cursor.pos > nameEnd
        }
        var hasLabelSet = false
        if cursor.peek == 0x7B {
            hasLabelSet = true
            try parseLabels(&cursor, exemplar: false)
        } else {
            line.labels.removeAll(keepingCapacity: true)
        }
        // Separator before the value.
        if strict {
            guard cursor.peek == 0x20 else {
                if cursor.atEndOfLine { throw cursor.error(.syntax, "the sample has no value") }
                if line.labels.isEmpty && cursor.peek != 0x7D && cursor.peek > 0x20 {
                    throw cursor.error(.invalidName, "'\(cursor.excerpt(cursor.pos, cursor.pos + 1))' is not allowed in a metric name (letters, digits, '_' and ':' are)")
                }
                throw cursor.error(.syntax, "expected one space and then the value, found \"\(cursor.excerpt(cursor.pos, lineEnd(cursor)))\"")
            }
            cursor.pos += 1
        } else {
            let hadBlank = cursor.peek == 0x20 || cursor.peek == 0x09 || (blankAfterName && !hasLabelSet)
            skipBlanks(&cursor)
            if !hadBlank && !cursor.atEndOfLine {
                if hasLabelSet { throw cursor.error(.syntax, "expected a space and then the value after the labels") }
                throw cursor.error(.invalidName, "'\(cursor.excerpt(cursor.pos, cursor.pos + 1))' is not allowed in a metric name (letters, digits, '_' and ':' are)")
            }
        }
        line.value = try number(&cursor, specials: .any, what: "value")
        if strict {
            if cursor.peek == 0x20 {
                cursor.pos += 1
                if cursor.peek != 0x23 {
                    line.timestamp = try number(&cursor, specials: .none, what: "timestamp")
                    if cursor.peek == 0x20 {
                        cursor.pos += 1
                        guard cursor.peek == 0x23 else {
                            throw cursor.error(.syntax, "unexpected text after the timestamp; only an exemplar (\" # {…} value\") may follow")
                        }
                    }
                }
                if cursor.peek == 0x23 { try parseExemplar(&cursor) }
            }
            guard cursor.atEndOfLine else {
                throw cursor.error(.syntax, "unexpected \"\(cursor.excerpt(cursor.pos, lineEnd(cursor)))\" after the value")
            }
        } else {
            skipBlanks(&cursor)
            if !cursor.atEndOfLine {
                let start = cursor.pos
                while cursor.peek > 0x20 { cursor.pos += 1 }
                guard let milliseconds = NumberParser.parseInt64(cursor.base + start, cursor.pos - start) else {
                    throw cursor.error(.invalidNumber, "timestamp \"\(cursor.excerpt(start, cursor.pos))\" is not an integer number of milliseconds", at: start)
                }
                line.timestamp = Double(milliseconds) / 1000
                skipBlanks(&cursor)
                guard cursor.atEndOfLine else {
                    throw cursor.error(.syntax, "unexpected \"\(cursor.excerpt(cursor.pos, lineEnd(cursor)))\" after the timestamp")
                }
            }
        }
        if cursor.pos < cursor.end { cursor.consumeNewline() }
    }

    /// Whether any of the eight bytes in `word` equals `byte`.
    @inline(__always) private func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
    }

    @inline(__always) private func skipBlanks(_ cursor: inout Cursor) {
        while cursor.peek == 0x20 || cursor.peek == 0x09 || cursor.peek == 0x0D { cursor.pos += 1 }
    }

    /// Reads a number token ending at a space, the end of the line, or (in Prometheus text) a tab.
    @inline(__always)
    private func number(_ cursor: inout Cursor, specials: NumberParser.Specials, what: String) throws(ExpositionError) -> Double {
        let start = cursor.pos
        if strict {
            while cursor.pos < cursor.end, cursor.base[cursor.pos] != 0x20, cursor.base[cursor.pos] != 0x0A { cursor.pos += 1 }
        } else {
            while cursor.peek > 0x20 { cursor.pos += 1 }
        }
        guard let value = NumberParser.parseDouble(cursor.base + start, cursor.pos - start, specials: specials) else {
            if start == cursor.pos { throw cursor.error(.invalidNumber, "expected a \(what), found nothing") }
            throw cursor.error(.invalidNumber, "\(what) \"\(cursor.excerpt(start, cursor.pos))\" is not a number", at: start)
        }
        // The text format's values are "as required by Go's ParseFloat()", which refuses a decimal beyond the
        // largest double ("value out of range") rather than reading it as an infinity; Prometheus's scrape
        // parser does the same. Infinities are spelled Inf.
        if value.isInfinite, NumberParser.isDecimal(cursor.base + start, cursor.pos - start) {
            throw cursor.error(.invalidNumber, "\(what) \"\(cursor.excerpt(start, cursor.pos))\" is beyond the range of a 64-bit float; write +Inf or -Inf", at: start)
        }
        return value
    }

    private mutating func parseExemplar(_ cursor: inout Cursor) throws(ExpositionError) {
        cursor.pos += 1 // '#'
        guard cursor.peek == 0x20, cursor.peek(at: 1) == 0x7B else {
            throw cursor.error(.invalidExemplar, "an exemplar is written \" # {labels} value [timestamp]\"")
        }
        cursor.pos += 1
        let labelsStart = cursor.pos
        try parseLabels(&cursor, exemplar: true)
        var codePoints = 0
        for id in line.exemplarLabels {
            for byte in interner[id].utf8 where byte & 0xC0 != 0x80 { codePoints += 1 }
        }
        if codePoints > 128 {
            throw cursor.error(.invalidExemplar, "exemplar labels are \(codePoints) characters long; the limit is 128", at: labelsStart)
        }
        guard cursor.peek == 0x20 else { throw cursor.error(.invalidExemplar, "expected a space and the exemplar value after its labels") }
        cursor.pos += 1
        line.exemplarValue = try number(&cursor, specials: .any, what: "exemplar value")
        line.exemplarTimestamp = nil
        if cursor.peek == 0x20 {
            cursor.pos += 1
            line.exemplarTimestamp = try number(&cursor, specials: .none, what: "exemplar timestamp")
        }
        line.hasExemplar = true
    }

    /// Reads `{name="value",…}` into alternating name and value ids.
    private mutating func parseLabels(_ cursor: inout Cursor, exemplar: Bool) throws(ExpositionError) {
        // Take the id array out of `line` so it can grow while the interner (also in `self`) changes.
        var ids: [Int32] = []
        if exemplar { swap(&ids, &line.exemplarLabels) } else { swap(&ids, &line.labels) }
        defer { if exemplar { swap(&ids, &line.exemplarLabels) } else { swap(&ids, &line.labels) } }
        // `ids` still holds the previous line's labels. Exporters write labels in the same order on every
        // line, so each position is first compared with what was there; only a mismatch costs a lookup.
        var written = 0
        defer { if written < ids.count { ids.removeSubrange(written...) } }
        cursor.pos += 1 // '{'
        if !strict { skipBlanks(&cursor) }
        if cursor.peek == 0x7D { cursor.pos += 1; return }
        while true {
            let nameStart = cursor.pos
            guard isLabelNameStart(cursor.peek) else {
                if cursor.peek == 0x2C || cursor.peek == 0x7D {
                    throw cursor.error(.invalidLabels, "expected a label name, found '\(cursor.excerpt(cursor.pos, cursor.pos + 1))' (a comma too many?)")
                }
                throw cursor.error(.invalidLabels, "expected a label name (letters, digits and '_', not starting with a digit)")
            }
            let nameID: Int32
            if written < ids.count, let length = interner.plainLength(ids[written]), nameStart + length < cursor.end,
               interner.matches(ids[written], cursor.base + nameStart, length), !isLabelNameChar(Int(cursor.base[nameStart + length])) {
                nameID = ids[written]
                cursor.pos = nameStart + length
            } else {
                cursor.pos += 1
                while isLabelNameChar(cursor.peek) { cursor.pos += 1 }
                guard let id = interner.intern(cursor.base + nameStart, cursor.pos - nameStart) else {
                    throw cursor.error(.invalidUTF8, "label name is not UTF-8", at: nameStart)
                }
                nameID = id
            }
            if !strict { skipBlanks(&cursor) }
            guard cursor.peek == 0x3D else {
                throw cursor.error(.invalidLabels, "expected '=' after label name \(interner[nameID])")
            }
            cursor.pos += 1
            if !strict { skipBlanks(&cursor) }
            guard cursor.peek == 0x22 else {
                throw cursor.error(.invalidLabels, "the value of label \(interner[nameID]) must be in double quotes")
            }
            cursor.pos += 1
            let valueStart = cursor.pos
            var escaped = false
            var reused: Int32 = -1
            // Same value as at this position on the previous line? A plain cached value has no quote,
            // backslash or newline, so equal bytes followed by '"' are exactly that value.
            if written + 1 < ids.count, let length = interner.plainLength(ids[written + 1]), valueStart + length < cursor.end,
               cursor.base[valueStart + length] == 0x22, interner.matches(ids[written + 1], cursor.base + valueStart, length) {
                reused = ids[written + 1]
                cursor.pos = valueStart + length
            }
            // Eight bytes at a time while none of them is '"', '\\' or a newline.
            while reused < 0, cursor.pos + 8 <= cursor.end {
                let word = UnsafeRawPointer(cursor.base + cursor.pos).loadUnaligned(as: UInt64.self)
                if hasByte(word, 0x22) || hasByte(word, 0x5C) || hasByte(word, 0x0A) { break }
                cursor.pos += 8
            }
            while reused < 0 {
                guard cursor.pos < cursor.end else {
                    throw cursor.error(.invalidLabels, "the value of label \(interner[nameID]) has no closing quote", at: valueStart - 1)
                }
                let byte = cursor.base[cursor.pos]
                if byte == 0x22 { break }
                if byte == 0x0A {
                    throw cursor.error(.invalidLabels, "the value of label \(interner[nameID]) has no closing quote before the end of the line", at: valueStart - 1)
                }
                if byte == 0x5C {
                    escaped = true
                    cursor.pos += 1
                    if cursor.pos < cursor.end && cursor.base[cursor.pos] == 0x0A { continue }
                }
                cursor.pos += 1
            }
            let valueID: Int32?
            if reused >= 0 {
                valueID = reused
            } else if escaped {
                valueID = internUnescaped(cursor.base + valueStart, cursor.pos - valueStart)
            } else if written + 1 < ids.count, interner.matches(ids[written + 1], cursor.base + valueStart, cursor.pos - valueStart) {
                valueID = ids[written + 1]
            } else {
                valueID = interner.intern(cursor.base + valueStart, cursor.pos - valueStart)
            }
            guard let valueID else {
                throw cursor.error(.invalidUTF8, "the value of label \(interner[nameID]) is not valid UTF-8", at: valueStart)
            }
            cursor.pos += 1 // closing quote
            var index = 0
            while index < written {
                if ids[index] == nameID {
                    throw cursor.error(.invalidLabels, "label \(interner[nameID]) appears twice", at: nameStart)
                }
                index += 2
            }
            if written < ids.count {
                ids[written] = nameID
                if written + 1 < ids.count { ids[written + 1] = valueID } else { ids.append(valueID) }
            } else {
                ids.append(nameID)
                ids.append(valueID)
            }
            written += 2
            if written > limits.maxLabelsPerSample * 2 {
                throw cursor.error(.limitExceeded, "more than \(limits.maxLabelsPerSample) labels on one sample", at: nameStart)
            }
            if !strict { skipBlanks(&cursor) }
            if cursor.peek == 0x2C {
                cursor.pos += 1
                if !strict {
                    skipBlanks(&cursor)
                    if cursor.peek == 0x7D { cursor.pos += 1; return }
                }
                continue
            }
            if cursor.peek == 0x7D { cursor.pos += 1; return }
            throw cursor.error(.invalidLabels, "expected ',' or '}' after the value of label \(interner[nameID])")
        }
    }

    /// Label value escapes: `\\`, `\"` and `\n`; any other backslash is kept as written.
    private mutating func internUnescaped(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
        unescapeBuffer.removeAll(keepingCapacity: true)
        var index = 0
        while index < count {
            let byte = start[index]
            if byte == 0x5C, index + 1 < count {
                let next = start[index + 1]
                if next == 0x5C || next == 0x22 { unescapeBuffer.append(next); index += 2; continue }
                if next == 0x6E { unescapeBuffer.append(0x0A); index += 2; continue }
            }
            unescapeBuffer.append(byte)
            index += 1
        }
        return unescapeBuffer.withUnsafeBufferPointer { interner.intern($0.baseAddress, $0.count) }
    }
}
