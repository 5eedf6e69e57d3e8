/// A load trace for `inferscale decide`: CSV with the header `time_s,concurrency,ready_pods[,rps]`
/// (columns in any order, matched by name). Each row's values hold from its time until the
/// next row. Lines starting with `#` and blank lines are ignored.
public struct DecideTrace: Sendable, Equatable {
    /// One row: values from `time` (seconds from the start) on.
    public struct Row: Sendable, Equatable {
        /// Seconds from the start of the replay (≥ 0, not decreasing).
        public var time: Double
        /// Requests in flight (a revision total, or per pod when replayed with per-pod).
        public var concurrency: Double
        /// Ready pods, when the trace gives them.
        public var readyPods: Int?
        /// Requests per second (same convention as `concurrency`); 0 when absent.
        public var rps: Double

        public init(time: Double, concurrency: Double, readyPods: Int?, rps: Double = 0) {
            self.time = time
            self.concurrency = concurrency
            self.readyPods = readyPods
            self.rps = rps
        }
    }

    /// The rows, by time.
    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// A malformed trace, with the 1-based line where it was found.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses CSV text. `requireReadyPods` is false when ready pods come from elsewhere
    /// (`--follow-desired`), which makes the column optional.
    public init(csv text: String, requireReadyPods: Bool = true) throws(ParseError) {
        var columns: [String: Int]?
        var rows: [Row] = []
        var lineNumber = 0
        var headerLine = 1
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
            guard let header = columns else {
                var index: [String: Int] = [:]
                for (i, name) in fields.enumerated() {
                    guard ["time_s", "concurrency", "ready_pods", "rps"].contains(name) else {
                        throw ParseError(line: lineNumber, message: "unknown column \"\(name)\"; expected the header time_s,concurrency,ready_pods[,rps]")
                    }
                    guard index[name] == nil else { throw ParseError(line: lineNumber, message: "column \"\(name)\" appears twice") }
                    index[name] = i
                }
                var required = ["time_s", "concurrency"]
                if requireReadyPods { required.append("ready_pods") }
                for name in required where index[name] == nil {
                    throw ParseError(line: lineNumber, message: "missing column \"\(name)\"; expected the header time_s,concurrency,ready_pods[,rps]")
                }
                columns = index
                headerLine = lineNumber
                continue
            }
            guard fields.count == header.count else {
                throw ParseError(line: lineNumber, message: "expected \(header.count) fields, found \(fields.count)")
            }
            func number(_ name: String) throws(ParseError) -> Double? {
                guard let i = header[name] else { return nil }
                guard let v = Double(fields[i]), v.isFinite, v >= 0 else {
                    throw ParseError(line: lineNumber, message: "\(name) \"\(fields[i])\" is not a finite number of 0 or more")
                }
                return v
            }
            let time = try number("time_s")!
            if let previous = rows.last?.time, time < previous {
                throw ParseError(line: lineNumber, message: "time_s \(fields[header["time_s"]!]) goes back in time (previous row: \(previous))")
            }
            var ready: Int?
            if let i = header["ready_pods"] {
                guard let r = Int(fields[i]), r >= 0 else {
                    throw ParseError(line: lineNumber, message: "ready_pods \"\(fields[i])\" is not a whole number of 0 or more")
                }
                ready = r
            }
            rows.append(Row(time: time, concurrency: try number("concurrency")!, readyPods: ready, rps: try number("rps") ?? 0))
        }
        guard columns != nil else { throw ParseError(line: max(1, lineNumber), message: "empty trace: expected the header time_s,concurrency,ready_pods[,rps]") }
        guard !rows.isEmpty else { throw ParseError(line: headerLine, message: "the trace has a header but no rows") }
        self.rows = rows
    }

    /// The row in force at `second`: the last row whose time is at or before it.
    func row(at second: Double, from hint: inout Int) -> Row? {
        while hint + 1 < rows.count && rows[hint + 1].time <= second { hint += 1 }
        return rows[hint].time <= second ? rows[hint] : nil
    }
}

extension Substring {
    var trimmingSpaces: String { String(self).trimmingSpaces }
}
