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
        let panels = [
            Panel(title: "arrivals (10 s mean)", unit: "requests/s", lines: [Line(label: "arrivals", color: palette[0], values: load)]),
            Panel(title: "replicas", unit: "replicas", lines: [Line(label: "requested", color: "#999999", values: series.map { Double($0.replicas) }),
                                                               Line(label: "ready", color: palette[2], values: series.map { Double($0.ready) })]),
            Panel(title: "queued requests", unit: "requests", lines: [Line(label: "queued", color: palette[1], values: series.map { Double($0.queued) })]),
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
            Panel(title: "arrivals (10 s mean)", unit: "requests/s",
                  lines: [Line(label: "arrivals", color: "#555555", values: smooth(first.map { Double($0.arrivals) }, over: 10))]),
            Panel(title: "ready replicas", unit: "replicas", lines: lines),
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

    /// One panel: its title, the unit of its vertical axis, its lines.
    struct Panel {
        var title: String
        var unit: String
        var lines: [Line]
    }

    /// Panels stacked over one time axis; each panel's vertical axis has round ticks from 0,
    /// the time axis has ticks in seconds, minutes or hours.
    static func render(title: String, times: [Double], panels: [Panel]) -> String {
        let width = 960.0, panelHeight = 170.0, left = 78.0, right = 130.0, top = 60.0, gap = 40.0
        let height = top + Double(panels.count) * (panelHeight + gap) + 20
        let plotWidth = width - left - right
        let span = max(1, (times.last ?? 0) - (times.first ?? 0))
        let timeTicks = AxisTicks.time(span: span)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="16">\(escape(title))</text>\n
            """
        for (p, panel) in panels.enumerated() {
            let y0 = top + Double(p) * (panelHeight + gap)
            let dataMax = panel.lines.flatMap(\.values).max() ?? 0
            let ticks = AxisTicks.ticks(low: 0, high: max(1, dataMax))
            let maxValue = max(1, ticks.last ?? 1)
            svg += "<text x=\"\(left)\" y=\"\(format(y0 - 6))\" fill=\"#333\">\(escape(panel.title)) (max \(format(dataMax)))</text>\n"
            for v in ticks {
                let y = y0 + panelHeight - panelHeight * v / maxValue
                svg += "<line x1=\"\(format(left))\" y1=\"\(format(y))\" x2=\"\(format(left + plotWidth))\" y2=\"\(format(y))\" stroke=\"#eee\"/>\n"
                svg += "<text x=\"\(format(left - 6))\" y=\"\(format(y + 4))\" text-anchor=\"end\" fill=\"#555\">\(AxisTicks.label(v))</text>\n"
            }
            for tick in timeTicks {
                let x = left + plotWidth * tick.seconds / span
                svg += "<line x1=\"\(format(x))\" y1=\"\(format(y0))\" x2=\"\(format(x))\" y2=\"\(format(y0 + panelHeight))\" stroke=\"#eee\"/>\n"
                svg += "<text x=\"\(format(x))\" y=\"\(format(y0 + panelHeight + 14))\" text-anchor=\"middle\" fill=\"#555\">\(tick.label)</text>\n"
            }
            let mid = y0 + panelHeight / 2
            svg += "<text x=\"16\" y=\"\(format(mid))\" transform=\"rotate(-90 16 \(format(mid)))\" text-anchor=\"middle\" fill=\"#333\">\(escape(panel.unit))</text>\n"
            svg += "<rect x=\"\(left)\" y=\"\(format(y0))\" width=\"\(format(plotWidth))\" height=\"\(format(panelHeight))\" fill=\"none\" stroke=\"#ccc\"/>\n"
            for (l, line) in panel.lines.enumerated() {
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
        svg += "</svg>\n"
        return svg
    }

    static func format(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
