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
        // One of the family's sample names, then a label set or a blank: no name character can follow a name that
        // way, so the line's name is exactly that one. Anything else (another name, a name followed by a character
        // no name has) the full path reads, and words its error.
        var matched = false
        for entry in families[current].accepted {
            guard let length = interner.prefixLength(entry.id, cursor.base + cursor.pos, cursor.end - cursor.pos) else { continue }
            let next = cursor.base[cursor.pos + length]
            if next == 0x7B || next == 0x20 || (next == 0x09 && format != .openMetrics) { matched = true; break }
        }
        guard matched else { return false }
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
