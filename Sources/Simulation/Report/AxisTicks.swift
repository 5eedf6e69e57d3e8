import Foundation

/// Round tick values for chart axes (steps of 1, 2 or 5 × a power of ten) and their labels,
/// so a reader can tell what a line is at without hovering.
enum AxisTicks {
    /// Ticks from a round value at or below `low` to one at or above `high`, about `count` steps.
    static func ticks(low: Double, high: Double, count: Int = 5) -> [Double] {
        let span = high > low ? high - low : max(1, abs(high))
        let raw = span / Double(max(1, count))
        let power = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        let first = (low / step).rounded(.down) * step
        var out: [Double] = []
        var v = first
        while out.count < 50 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            if v >= high - step * 1e-9 { break }
            v += step
        }
        return out
    }

    /// A tick label: `0`, `2.5`, `40`, `12k`, `1.5M`.
    static func label(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1_000_000 { return trim(v / 1_000_000) + "M" }
        if a >= 10_000 { return trim(v / 1000) + "k" }
        return trim(v)
    }

    private static func trim(_ v: Double) -> String {
        if v == v.rounded() { return String(Int64(v)) }
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// Ticks for a time axis of `span` seconds: the seconds at which they fall and their
    /// labels with a unit (`30 s`, `5 min`, `2 h`).
    static func time(span: Double) -> [(seconds: Double, label: String)] {
        let steps: [Double] = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        let step = steps.first { span / $0 <= 8 } ?? (span / 8).rounded(.up)
        var out: [(Double, String)] = []
        var t = 0.0
        while t <= span + 1e-9 && out.count < 50 {
            let label: String
            if step >= 3600 && t.truncatingRemainder(dividingBy: 3600) == 0 { label = "\(Int(t / 3600)) h" }
            else if step >= 60 && t.truncatingRemainder(dividingBy: 60) == 0 { label = "\(Int(t / 60)) min" }
            else { label = "\(Int(t)) s" }
            out.append((t, label))
            t += step
        }
        return out
    }
}
