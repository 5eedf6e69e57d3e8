import Foundation

/// One client of a ServeGen workload model: its windows, in time order, from one
/// `chunk-<client>-trace.csv` (no header; `start,rate,cv,distribution,parameter1,parameter2`,
/// one row per window, as alibaba/ServeGen `servegen/clientpool.py` reads them).
public struct ServeGenClient: Sendable, Equatable {
    /// The client's name: the `<client>` of its file name (or the whole file name), which also
    /// seeds its draws, so a client draws the same arrivals alone or among others.
    public var name: String
    public var windows: [ServeGenWindow]

    public init(name: String, windows: [ServeGenWindow]) {
        self.name = name
        self.windows = windows
    }

    /// The client named by a file name: `chunk-12-trace.csv` → `12`.
    public static func name(fileName: String) -> String {
        guard fileName.hasPrefix("chunk-"), fileName.hasSuffix("-trace.csv") else { return fileName }
        let inner = fileName.dropFirst("chunk-".count).dropLast("-trace.csv".count)
        return inner.isEmpty ? fileName : String(inner)
    }

    /// Parses one client file; every row must parse (`file` labels errors, lines are 1-based).
    /// Windows must start at least `windowSeconds` apart, in increasing order.
    public static func parse(_ text: String, name: String, file: String, windowSeconds: Double = ServeGenConfiguration.windowSeconds) throws(TraceError) -> ServeGenClient {
        var windows: [ServeGenWindow] = []
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " }) { continue }
            let window = try row(line, line: lineNumber, file: file)
            if let last = windows.last, window.start < last.start + windowSeconds {
                throw TraceError(file: file, line: lineNumber, message: "window start \(format(window.start)) s is less than \(format(windowSeconds)) s after the previous row's \(format(last.start)) s; rows must be one window each, in time order")
            }
            windows.append(window)
        }
        guard !windows.isEmpty else { throw TraceError(file: file, line: 0, message: "the client file has no rows") }
        return ServeGenClient(name: name, windows: windows)
    }

    private static func row(_ line: Substring, line n: Int, file: String) throws(TraceError) -> ServeGenWindow {
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard f.count == 6 else {
            throw TraceError(file: file, line: n, message: "expected 6 fields (start,rate,cv,distribution,parameter1,parameter2), found \(f.count)")
        }
        func number(_ i: Int, _ what: String) throws(TraceError) -> Double {
            guard let v = Double(f[i]), v.isFinite, v >= 0 else {
                throw TraceError(file: file, line: n, message: "\(what) must be a number ≥ 0, found '\(f[i])'")
            }
            return v
        }
        let start = try number(0, "window start (s)"), rate = try number(1, "rate (requests/s)"), cv = try number(2, "cv")
        let fit: InterArrivalFit
        switch f[3] {
        case "Gamma", "Weibull":
            let shape = try number(4, "\(f[3]) shape"), scale = try number(5, "\(f[3]) scale")
            guard shape > 0, scale > 0 else {
                throw TraceError(file: file, line: n, message: "\(f[3]) shape and scale must be > 0, found \(f[4]) and \(f[5])")
            }
            fit = f[3] == "Gamma" ? .gamma(shape: shape, scale: scale) : .weibull(shape: shape, scale: scale)
        case "Exponential": fit = .exponential
        case "": fit = .unfitted
        default:
            throw TraceError(file: file, line: n, message: "distribution must be Gamma, Weibull, Exponential or empty, found '\(f[3])'")
        }
        return ServeGenWindow(start: start, rate: rate, cv: cv, fit: fit)
    }

    private static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
