/// Parses configuration values the way Knative reads them with Go's `strconv` and
/// `time.ParseDuration`, so a value that Knative accepts means the same here. Surrounding
/// whitespace is trimmed, as Knative's configmap helpers do.
enum GoValueParser {
    /// Go's `strconv.ParseBool`: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
    static func bool(_ raw: String) -> Bool? {
        switch trimmed(raw) {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }

    /// A finite decimal floating-point number. (Go would also take NaN and infinities, which
    /// no autoscaling setting can use.)
    static func float(_ raw: String) -> Double? {
        let s = trimmed(raw)
        guard !s.isEmpty, s.allSatisfy({ "0123456789+-.eE".contains($0) }), let v = Double(s), v.isFinite
        else { return nil }
        return v
    }

    /// A base-10 integer in the Int32 range, like `strconv.ParseInt(s, 10, 32)`.
    static func int32(_ raw: String) -> Int32? {
        Int32(trimmed(raw))
    }

    /// Go's `time.ParseDuration`, in nanoseconds: a sign and a sequence of decimal numbers
    /// with units ns, us (µs), ms, s, m, h, such as "300ms", "1m30s" or "-1.5h". "0" needs
    /// no unit.
    static func duration(_ raw: String) -> Int64? {
        var s = Substring(trimmed(raw))
        var negative = false
        if let c = s.first, c == "-" || c == "+" {
            negative = c == "-"
            s = s.dropFirst()
        }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        var total: Double = 0
        var exact: Int64 = 0
        var exactOK = true
        while !s.isEmpty {
            let number = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1 else { return nil }
            s = s.dropFirst(number.count)
            let unit = s.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            s = s.dropFirst(unit.count)
            let scale: Int64
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1_000
            case "ms": scale = 1_000_000
            case "s": scale = 1_000_000_000
            case "m": scale = 60_000_000_000
            case "h": scale = 3_600_000_000_000
            default: return nil
            }
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            let whole = parts[0].isEmpty ? 0 : Int64(parts[0])
            guard let whole else { return nil }
            var fractionNanos: Int64 = 0
            if parts.count == 2, !parts[1].isEmpty {
                // Fractions beyond nanosecond resolution are truncated, as in Go.
                var digits = 0
                var value: Int64 = 0
                var divisor: Int64 = 1
                for ch in parts[1] {
                    guard let d = ch.wholeNumberValue else { return nil }
                    if digits < 18 {
                        value = value * 10 + Int64(d)
                        divisor *= 10
                        digits += 1
                    }
                }
                fractionNanos = Int64((Double(value) / Double(divisor)) * Double(scale))
            }
            let (mul, overflow1) = whole.multipliedReportingOverflow(by: scale)
            let (sum, overflow2) = exact.addingReportingOverflow(mul &+ fractionNanos)
            if overflow1 || overflow2 { exactOK = false }
            exact = sum
            total += Double(whole) * Double(scale)
        }
        guard exactOK, total < 9.3e18 else { return nil }
        return negative ? -exact : exact
    }

    private static func trimmed(_ s: String) -> String {
        String(s.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

/// Formats nanoseconds as a short duration such as "60s", "1m30s" or "1.5s".
func formatDuration(nanoseconds ns: Int64) -> String {
    if ns == 0 { return "0s" }
    if ns % 1_000_000_000 != 0 { return "\(Double(ns) / 1e9)s" }
    var seconds = ns / 1_000_000_000
    var out = seconds < 0 ? "-" : ""
    seconds = abs(seconds)
    let h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60
    if h > 0 { out += "\(h)h" }
    if m > 0 { out += "\(m)m" }
    if s > 0 || (h == 0 && m == 0) { out += "\(s)s" }
    return out
}

/// Durations as Kubernetes and Knative write them (Go's notation): "30s", "1m30s", "2h", "500ms".
public enum DurationText {
    /// Nanoseconds, or nil when `text` is not a duration.
    public static func parse(_ text: String) -> Int64? { GoValueParser.duration(text) }

    /// Short text for seconds: "60s", "1m30s", "1.5s".
    public static func format(seconds: Double) -> String { formatDuration(nanoseconds: Int64(seconds * 1e9)) }
}
