/// A read position in the body, with the line bookkeeping that error positions need.
struct Cursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos = 0
    var line = 1
    var lineStart = 0

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        end = count
    }

    /// The byte at the position, or -1 at the end of the body.
    @inline(__always) var peek: Int { pos < end ? Int(base[pos]) : -1 }

    @inline(__always) func peek(at offset: Int) -> Int { pos + offset < end ? Int(base[pos + offset]) : -1 }

    @inline(__always) var atEndOfLine: Bool { pos >= end || base[pos] == 0x0A }

    /// Steps over a newline and starts the next line.
    @inline(__always) mutating func consumeNewline() {
        pos += 1
        line += 1
        lineStart = pos
    }

    func error(_ code: ExpositionError.Code, _ message: String, at position: Int? = nil) -> ExpositionError {
        ExpositionError(code, message, line: line, column: (position ?? pos) - lineStart + 1)
    }

    /// A short, printable excerpt of the body for error messages.
    func excerpt(_ start: Int, _ stop: Int) -> String {
        let upper = min(stop, start + 40)
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: max(0, upper - start)), as: UTF8.self)
        return upper < stop ? text + "…" : text
    }
}

@inline(__always) func isMetricNameStart(_ byte: Int) -> Bool {
    (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte == 0x5F || byte == 0x3A
}

@inline(__always) func isMetricNameChar(_ byte: Int) -> Bool {
    isMetricNameStart(byte) || (byte >= 0x30 && byte <= 0x39)
}

@inline(__always) func isLabelNameStart(_ byte: Int) -> Bool {
    (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte == 0x5F
}

@inline(__always) func isLabelNameChar(_ byte: Int) -> Bool {
    isLabelNameStart(byte) || (byte >= 0x30 && byte <= 0x39)
}
