import Foundation

/// Charts as standalone SVG files: per policy, load, ready replicas and queue over time; and
/// one chart comparing the ready replicas of every policy.
public enum SVGChart {
    struct Line {
        var label: String
        var color: String
        var values: [Double]
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    /// Load (arrivals per second, 10 s mean), ready replicas and queued requests of one policy.
    public static func policy(_ name: String, series: [SeriesPoint]) -> String {
        let load = smooth(series.map { Double($0.arrivals) }, over: 10)
        let panels: [(String, [Line])] = [
            ("requests/s (10 s mean)", [Line(label: "arrivals", color: palette[0], values: load)]),
            ("replicas", [Line(label: "requested", color: "#999999", values: series.map { Double($0.replicas) }),
                          Line(label: "ready", color: palette[2], values: series.map { Double($0.ready) })]),
            ("queued requests", [Line(label: "queued", color: palette[1], values: series.map { Double($0.queued) })]),
        ]
        return render(title: "\(name): load, replicas and queue", times: series.map(\.time), panels: panels)
    }

    /// Ready replicas of every policy on one chart, over the load.
    public static func comparison(_ report: SimulationReport) -> String {
        guard let first = report.series.first(where: { !$0.isEmpty }) else { return render(title: "no data", times: [], panels: []) }
        let lines = zip(report.results, report.series).enumerated().map { i, pair in
            Line(label: pair.0.policy, color: palette[i % palette.count], values: pair.1.map { Double($0.ready) })
        }
        return render(title: "ready replicas by policy", times: first.map(\.time), panels: [
            ("requests/s (10 s mean)", [Line(label: "arrivals", color: "#555555", values: smooth(first.map { Double($0.arrivals) }, over: 10))]),
            ("ready replicas", lines),
        ])
    }

    static func smooth(_ v: [Double], over n: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(v.count)
        var sum = 0.0
        for i in v.indices {
            sum += v[i]
            if i >= n { sum -= v[i - n] }
            out.append(sum / Double(min(i + 1, n)))
        }
        return out
    }

    /// At most `limit` points: the maximum of each bucket, so short peaks stay visible.
    static func downsample(_ v: [Double], limit: Int) -> [Double] {
        guard v.count > limit else { return v }
        let step = Double(v.count) / Double(limit)
        return (0..<limit).map { i in
            let lo = Int(Double(i) * step), hi = max(lo + 1, Int(Double(i + 1) * step))
            return v[lo..<min(hi, v.count)].max() ?? 0
        }
    }

    static func render(title: String, times: [Double], panels: [(String, [Line])]) -> String {
        let width = 960.0, panelHeight = 170.0, left = 60.0, right = 130.0, top = 60.0, gap = 34.0
        let height = top + Double(panels.count) * (panelHeight + gap) + 20
        let plotWidth = width - left - right
        let span = max(1, (times.last ?? 0) - (times.first ?? 0))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="16">\(escape(title))</text>\n
            """
        for (p, panel) in panels.enumerated() {
            let y0 = top + Double(p) * (panelHeight + gap)
            let maxValue = max(1, panel.1.flatMap(\.values).max() ?? 1)
            svg += "<text x=\"\(left)\" y=\"\(format(y0 - 4))\" fill=\"#333\">\(escape(panel.0)) (max \(format(maxValue)))</text>\n"
            svg += "<rect x=\"\(left)\" y=\"\(format(y0))\" width=\"\(format(plotWidth))\" height=\"\(format(panelHeight))\" fill=\"none\" stroke=\"#ccc\"/>\n"
            for (l, line) in panel.1.enumerated() {
                let values = downsample(line.values, limit: 1200)
                guard !values.isEmpty else { continue }
                let points = values.enumerated().map { i, v in
                    let x = left + plotWidth * Double(i) / Double(max(1, values.count - 1))
                    let y = y0 + panelHeight - panelHeight * v / maxValue
                    return "\(format(x)),\(format(y))"
                }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
                svg += "<text x=\"\(format(left + plotWidth + 8))\" y=\"\(format(y0 + 14 + Double(l) * 16))\" fill=\"\(line.color)\">\(escape(line.label))</text>\n"
            }
        }
        let axisY = top + Double(panels.count) * (panelHeight + gap) - gap + 16
        svg += "<text x=\"\(left)\" y=\"\(format(axisY))\" fill=\"#333\">0 s</text>\n"
        svg += "<text x=\"\(format(left + plotWidth))\" y=\"\(format(axisY))\" text-anchor=\"end\" fill=\"#333\">\(format(span)) s</text>\n"
        svg += "</svg>\n"
        return svg
    }

    static func format(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
