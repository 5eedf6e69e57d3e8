// A filtered parse steps over the sample lines of families it does not keep: only the line's metric name is read.

extension ExpositionParser {
    /// Steps over the sample line at the cursor when it belongs to the current family and the parse does not keep
    /// that family; returns false, leaving the cursor where it was, for every other line (the full path reads it).
    ///
    /// Only the name decides, and it decides as the full path does: a name the current family accepts is that
    /// family's sample whatever follows. So the structure of the body (which family each line is in, metadata,
    /// family order, the final line feed or `# EOF`, the sample cap) is checked exactly as in a full parse, while
    /// the labels, value and timestamp of a dropped sample are never read: nobody reads them, and at byte speed a
    /// vLLM body's many histograms nobody scales on cost a scan to the next line feed.
    @inline(__always)
    mutating func skipDroppedSample(_ cursor: inout Cursor) throws(ExpositionError) -> Bool {
        guard current >= 0, families[current].dropped else { return false }
        let nameStart = cursor.pos
        var nameEnd = nameStart
        while nameEnd < cursor.end, isMetricNameChar(Int(cursor.base[nameEnd])) { nameEnd += 1 }
        // A name followed by anything but a label set or a blank is an error the full path words.
        guard nameEnd > nameStart, nameEnd < cursor.end, isMetricNameStart(Int(cursor.base[nameStart])) else { return false }
        let next = cursor.base[nameEnd]
        guard next == 0x7B || next == 0x20 || (next == 0x09 && format != .openMetrics) else { return false }
        guard families[current].accepts(cursor.base + nameStart, nameEnd - nameStart, interner) else { return false }
        sampleCount += 1
        if sampleCount > limits.maxSamples {
            throw ExpositionError(.limitExceeded, "more than \(limits.maxSamples) samples in one body", line: cursor.line, column: 1)
        }
        families[current].hasSamples = true
        cursor.pos = lineEnd(cursor)
        if cursor.pos < cursor.end { cursor.consumeNewline() }
        return true
    }
}
