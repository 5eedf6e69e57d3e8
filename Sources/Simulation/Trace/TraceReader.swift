import Foundation

/// Reads traffic traces into requests, times relative to the first arrival.
///
/// Every row must parse: a malformed row is an error with its line, never skipped, so a
/// replay never silently drops load.
public enum TraceReader {
    /// Files larger than this are refused rather than loaded (the public traces are < 40 MB).
    public static let maximumFileSize = 512 << 20

    /// Reads a trace file; `format` nil detects it from the first line (a folder is ServeGen's).
    /// ServeGen models are drawn with `ServeGenConfiguration`'s defaults and the bundled trace's
    /// lengths; `ServeGenReader` takes other settings.
    public static func read(path: String, format: TraceFormat? = nil) throws(TraceError) -> Trace {
        try refuseCompressed(path)
        var chosen = format
        if chosen == nil { chosen = try detect(path: path) }
        if chosen == .servegen {
            let lengths = try TokenLengthSample(trace: BundledTrace.read(), name: BundledTrace.name)
            return try ServeGenReader.read(path: path, configuration: ServeGenConfiguration(), lengths: lengths).trace
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int else {
            throw TraceError(file: path, line: 0, message: "no such file, or it cannot be read")
        }
        guard size <= maximumFileSize else {
            throw TraceError(file: path, line: 0, message: "file is \(size) bytes; traces are limited to \(maximumFileSize) bytes (cut a window first)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw TraceError(file: path, line: 0, message: "not UTF-8 text")
        }
        return try parse(text, format: format, name: path)
    }

    /// The format of the file or folder at `path`, from its first line (a folder: ServeGen's);
    /// nil when no format fits.
    public static func detect(path: String) throws(TraceError) -> TraceFormat? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TraceError(file: path, line: 0, message: "no such file, or it cannot be read")
        }
        if isFolder.boolValue { return .servegen }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TraceError(file: path, line: 0, message: "the file cannot be read")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        let firstLine = String(decoding: head, as: UTF8.self).split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first ?? ""
        return TraceFormat.detect(firstLine: String(firstLine))
    }

    /// Refuses a gzip file (the public bundles are tar.gz) with the command that unpacks it.
    public static func refuseCompressed(_ path: String) throws(TraceError) {
        let lower = path.lowercased()
        var gzip = lower.hasSuffix(".gz") || lower.hasSuffix(".tgz")
        if !gzip, let handle = FileHandle(forReadingAtPath: path) {
            gzip = (try? handle.read(upToCount: 2)) == Data([0x1F, 0x8B])
            try? handle.close()
        }
        guard gzip else { return }
        throw TraceError(file: path, line: 0, message: "this is a gzip (tar.gz) bundle, which is not read directly: extract it first with "
            + "tar -xzf \(path) and give --trace the file or folder it holds (a ServeGen bundle holds a folder such as language/m-mid)")
    }

    /// Parses trace text; `name` labels errors.
    public static func parse(_ text: String, format: TraceFormat? = nil, name: String = "trace") throws(TraceError) -> Trace {
        // "\r\n" is one Character in Swift: split on both line ends.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        while let last = lines.last, last.allSatisfy({ $0 == " " }) { lines.removeLast() }
        guard let first = lines.first else { throw TraceError(file: name, line: 0, message: "the trace is empty") }
        guard let format = format ?? TraceFormat.detect(firstLine: String(first)) else {
            throw TraceError(file: name, line: 1, message: "unknown trace format; give --format azure-llm, mooncake, alibaba-lora, csv or servegen")
        }
        if format == .servegen {
            // One client's model, drawn with the defaults; times are from the span's start.
            let client = try ServeGenClient.parse(text, name: name, file: name)
            let lengths = try TokenLengthSample(trace: BundledTrace.read(), name: BundledTrace.name)
            return try ServeGenArrivals.generate(clients: [client], configuration: ServeGenConfiguration(), lengths: lengths, source: name).trace
        }
        var requests: [TraceRequest]
        switch format {
        case .azureLLM: requests = try azure(lines, name: name)
        case .mooncake: requests = try mooncake(lines, name: name)
        case .alibabaLoRA: requests = try alibaba(lines, name: name)
        case .csv: requests = try csv(lines, name: name)
        case .servegen: requests = []  // drawn above
        }
        guard !requests.isEmpty else { throw TraceError(file: name, line: 0, message: "the trace has no requests") }
        requests.sort { $0.time < $1.time }
        let origin = requests[0].time
        for i in requests.indices { requests[i].time -= origin }
        return Trace(requests: requests)
    }

    // MARK: - Formats

    private static func header(_ lines: [Substring], name: String, required: [String]) throws(TraceError) -> [String: Int] {
        let columns = lines[0].split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FEFF}", with: "")
        }
        var index: [String: Int] = [:]
        for (i, c) in columns.enumerated() { index[c] = i }
        for r in required where index[r] == nil {
            throw TraceError(file: name, line: 1, message: "missing column \(r); the header is \(lines[0])")
        }
        return index
    }

    private static func fields(_ line: Substring, count: Int, lineNumber: Int, name: String) throws(TraceError) -> [Substring] {
        let f = line.split(separator: ",", omittingEmptySubsequences: false)
        guard f.count >= count else {
            throw TraceError(file: name, line: lineNumber, message: "expected \(count) fields, found \(f.count)")
        }
        return f
    }

    private static func number(_ s: Substring, _ what: String, line: Int, name: String) throws(TraceError) -> Double {
        guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0 else {
            throw TraceError(file: name, line: line, message: "\(what) must be a number ≥ 0, found '\(s)'")
        }
        return v
    }

    private static func count(_ s: Substring, _ what: String, line: Int, name: String) throws(TraceError) -> Int {
        guard let v = Int(s.trimmingCharacters(in: .whitespaces)), v >= 0 else {
            throw TraceError(file: name, line: line, message: "\(what) must be a whole number ≥ 0, found '\(s)'")
        }
        return v
    }

    static func azure(_ lines: [Substring], name: String) throws(TraceError) -> [TraceRequest] {
        let h = try header(lines, name: name, required: ["TIMESTAMP", "ContextTokens", "GeneratedTokens"])
        let (t, p, o) = (h["TIMESTAMP"]!, h["ContextTokens"]!, h["GeneratedTokens"]!)
        var out: [TraceRequest] = []
        out.reserveCapacity(lines.count)
        for n in 1..<lines.count {
            let f = try fields(lines[n], count: max(t, p, o) + 1, lineNumber: n + 1, name: name)
            guard let time = DateTimeParser.seconds(f[t]) else {
                throw TraceError(file: name, line: n + 1, message: "TIMESTAMP must look like 2023-11-16 18:17:03.9799600, found '\(f[t])'")
            }
            out.append(TraceRequest(time: time, promptTokens: try count(f[p], "ContextTokens", line: n + 1, name: name),
                                    outputTokens: try count(f[o], "GeneratedTokens", line: n + 1, name: name)))
        }
        return out
    }

    static func mooncake(_ lines: [Substring], name: String) throws(TraceError) -> [TraceRequest] {
        struct Row: Decodable {
            var timestamp: Double
            var input_length: Int
            var output_length: Int
            /// Prefix-block ids, one per 512 prompt tokens (the last block partial): equal ids
            /// mean equal content up to that block's end.
            var hash_ids: [UInt64]?
        }
        let decoder = JSONDecoder()
        var out: [TraceRequest] = []
        out.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            guard let row = try? decoder.decode(Row.self, from: Data(line.utf8)) else {
                throw TraceError(file: name, line: i + 1, message: "expected a JSON object with timestamp (ms), input_length and output_length")
            }
            guard row.timestamp >= 0, row.input_length >= 0, row.output_length >= 0 else {
                throw TraceError(file: name, line: i + 1, message: "timestamp and lengths must be ≥ 0")
            }
            // Each id names 512 tokens of content; the replica's prefix cache hashes its own
            // 16-token blocks of them, so prompts sharing ids share those blocks.
            let segments = (row.hash_ids ?? []).enumerated().compactMap { k, id -> PromptSegment? in
                let tokens = min(512, row.input_length - 512 * k)
                return tokens > 0 ? PromptSegment(id: id, tokens: tokens) : nil
            }
            out.append(TraceRequest(time: row.timestamp / 1000, promptTokens: row.input_length, outputTokens: row.output_length,
                                    segments: segments))
        }
        return out
    }

    static func alibaba(_ lines: [Substring], name: String) throws(TraceError) -> [TraceRequest] {
        let h = try header(lines, name: name, required: ["gmt_create", "exec_time_seconds"])
        let (t, e) = (h["gmt_create"]!, h["exec_time_seconds"]!)
        var out: [TraceRequest] = []
        for n in 1..<lines.count {
            let f = try fields(lines[n], count: max(t, e) + 1, lineNumber: n + 1, name: name)
            guard let time = DateTimeParser.seconds(f[t]) else {
                throw TraceError(file: name, line: n + 1, message: "gmt_create must look like 2024-11-15 16:57:50, found '\(f[t])'")
            }
            // A row without a service time (a failed request upstream) is still load; its
            // service time comes from the model profile.
            let service = f[e].isEmpty ? nil : try number(f[e], "exec_time_seconds", line: n + 1, name: name)
            out.append(TraceRequest(time: time, serviceSeconds: service))
        }
        return out
    }

    static func csv(_ lines: [Substring], name: String) throws(TraceError) -> [TraceRequest] {
        let h = try header(lines, name: name, required: ["time_s"])
        let t = h["time_s"]!
        let tokens = h["prompt_tokens"].flatMap { p in h["output_tokens"].map { (p, $0) } }
        let service = h["service_s"]
        guard tokens != nil || service != nil else {
            throw TraceError(file: name, line: 1, message: "expected columns time_s,prompt_tokens,output_tokens or time_s,service_s")
        }
        var out: [TraceRequest] = []
        out.reserveCapacity(lines.count)
        for n in 1..<lines.count {
            let width = max(t, tokens?.0 ?? 0, tokens?.1 ?? 0, service ?? 0) + 1
            let f = try fields(lines[n], count: width, lineNumber: n + 1, name: name)
            var r = TraceRequest(time: try number(f[t], "time_s", line: n + 1, name: name))
            if let (p, o) = tokens {
                r.promptTokens = try count(f[p], "prompt_tokens", line: n + 1, name: name)
                r.outputTokens = try count(f[o], "output_tokens", line: n + 1, name: name)
            }
            if let s = service { r.serviceSeconds = try number(f[s], "service_s", line: n + 1, name: name) }
            out.append(r)
        }
        return out
    }
}

/// Parses `YYYY-MM-DD HH:MM:SS[.fraction]` (no zone; read as UTC) to seconds since 1970.
enum DateTimeParser {
    static func seconds(_ s: Substring) -> Double? {
        let u = Array(s.utf8)
        guard u.count >= 19, u[4] == 45, u[7] == 45, u[10] == 32 || u[10] == 84, u[13] == 58, u[16] == 58 else { return nil }
        func int(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard u[i] >= 48 && u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard let y = int(0..<4), let mo = int(5..<7), let d = int(8..<10), let h = int(11..<13), let mi = int(14..<16), let se = int(17..<19),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var fraction = 0.0
        if u.count > 19 {
            guard u[19] == 46, u.count > 20 else { return nil }
            var scale = 0.1
            for i in 20..<u.count {
                guard u[i] >= 48 && u[i] <= 57 else { return nil }
                fraction += Double(u[i] - 48) * scale
                scale /= 10
            }
        }
        // Days from civil (proleptic Gregorian), as in Howard Hinnant's date algorithms.
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + h * 3600 + mi * 60 + se) + fraction
    }
}
