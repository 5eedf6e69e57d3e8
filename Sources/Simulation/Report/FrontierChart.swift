import Foundation

/// `tune`'s chart as a standalone SVG: every variant as a point (replica-seconds across,
/// share of requests over the objective up), each family's Pareto frontier as a line, the
/// objective as a dashed line, and the cheapest variant of each family that meets it ringed.
public enum FrontierChart {
    public static func render(_ report: TuneReport) -> String {
        let width = 960.0, height = 560.0, left = 78.0, right = 200.0, top = 56.0, bottom = 56.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let allowed = report.allowedShare * 100
        // The frontier and the objective set the scale; variants far above both would squash
        // the part worth reading, so they are counted instead of drawn.
        let frontierShares = report.families.flatMap { f in f.frontier.map { f.entries[$0].result.overObjectiveShare * 100 } }
        let yTicks = AxisTicks.ticks(low: 0, high: max(2 * allowed, frontierShares.max() ?? 0, 0.1))
        let yMax = yTicks.last ?? 1
        let shown = report.families.flatMap { $0.entries }.filter { $0.result.overObjectiveShare * 100 <= yMax }
        var costs = shown.map(\.result.replicaSeconds)
        if let ref = report.reference { costs.append(ref.replicaSeconds) }
        if let bound = report.bound { costs.append(bound.replicaSeconds) }
        let xTicks = AxisTicks.ticks(low: (costs.min() ?? 0) * 0.98, high: max((costs.max() ?? 1) * 1.02, (costs.min() ?? 0) + 1))
        let xLow = xTicks.first ?? 0, xHigh = max(xLow + 1, xTicks.last ?? 1)
        func x(_ cost: Double) -> Double { left + plotWidth * (cost - xLow) / (xHigh - xLow) }
        func y(_ percent: Double) -> Double { top + plotHeight - plotHeight * percent / yMax }
        let f = SVGChart.format

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="16">cost against latency: \(SVGChart.escape(report.profile)), TTFT objective \(ReportTable.seconds(report.ttftObjectiveSeconds)) for \(AxisTicks.label(report.objectiveQuantile * 100)) % of requests</text>\n
            """
        for v in yTicks {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\" fill=\"#555\">\(AxisTicks.label(v)) %</text>\n"
        }
        for v in xTicks {
            svg += "<line x1=\"\(f(x(v)))\" y1=\"\(f(top))\" x2=\"\(f(x(v)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(f(x(v)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" fill=\"#555\">\(AxisTicks.label(v))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\" fill=\"#333\">replica-seconds over the trace</text>\n"
        let mid = top + plotHeight / 2
        svg += "<text x=\"16\" y=\"\(f(mid))\" transform=\"rotate(-90 16 \(f(mid)))\" text-anchor=\"middle\" fill=\"#333\">requests over the TTFT objective (%)</text>\n"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#ccc\"/>\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(allowed)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(allowed)))\" stroke=\"#333\" stroke-dasharray=\"6 4\"/>\n"
        svg += "<text x=\"\(f(left + plotWidth - 4))\" y=\"\(f(y(allowed) - 5))\" text-anchor=\"end\" fill=\"#333\">objective: at most \(AxisTicks.label(allowed)) % over</text>\n"
        if let ref = report.reference {
            svg += "<line x1=\"\(f(x(ref.replicaSeconds)))\" y1=\"\(f(top))\" x2=\"\(f(x(ref.replicaSeconds)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#000\" stroke-dasharray=\"2 3\"/>\n"
            svg += "<text x=\"\(f(x(ref.replicaSeconds) + 4))\" y=\"\(f(top + 14))\" fill=\"#000\">\(SVGChart.escape(ref.policy))</text>\n"
        }
        if let bound = report.bound {
            // Left of it, below the objective line, no scaler can be (a solid line: a bound, not a schedule).
            let bx = f(x(bound.replicaSeconds))
            svg += "<line x1=\"\(bx)\" y1=\"\(f(top))\" x2=\"\(bx)\" y2=\"\(f(top + plotHeight))\" stroke=\"#b00\"/>\n"
            svg += "<text x=\"\(f(x(bound.replicaSeconds) + 4))\" y=\"\(f(top + 28))\" fill=\"#b00\">lower bound at \(AxisTicks.label(allowed)) %</text>\n"
        }
        var legendY = top + 14
        for (n, family) in report.families.enumerated() {
            let color = SVGChart.palette[n % SVGChart.palette.count]
            for e in family.entries where e.result.overObjectiveShare * 100 <= yMax {
                svg += "<circle cx=\"\(f(x(e.result.replicaSeconds)))\" cy=\"\(f(y(e.result.overObjectiveShare * 100)))\" r=\"3\" fill=\"\(color)\" fill-opacity=\"0.35\"><title>\(SVGChart.escape(e.variant.name))</title></circle>\n"
            }
            let points = family.frontier.map { family.entries[$0].result }.filter { $0.overObjectiveShare * 100 <= yMax }
                .map { "\(f(x($0.replicaSeconds))),\(f(y($0.overObjectiveShare * 100)))" }
            if !points.isEmpty {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            }
            if let c = family.cheapestMeetingObjective {
                let r = family.entries[c].result
                svg += "<circle cx=\"\(f(x(r.replicaSeconds)))\" cy=\"\(f(y(r.overObjectiveShare * 100)))\" r=\"7\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\"/>\n"
            }
            let hidden = family.entries.count - family.entries.filter { $0.result.overObjectiveShare * 100 <= yMax }.count
            svg += "<text x=\"\(f(left + plotWidth + 10))\" y=\"\(f(legendY))\" fill=\"\(color)\">\(SVGChart.escape(family.name)) (\(family.entries.count))</text>\n"
            legendY += 16
            if hidden > 0 {
                svg += "<text x=\"\(f(left + plotWidth + 10))\" y=\"\(f(legendY))\" fill=\"#777\" font-size=\"11\">\(hidden) above \(AxisTicks.label(yMax)) % not drawn</text>\n"
                legendY += 16
            }
        }
        svg += "<text x=\"\(f(left + plotWidth + 10))\" y=\"\(f(legendY + 8))\" fill=\"#555\" font-size=\"11\">line: frontier; ring: cheapest</text>\n"
        svg += "<text x=\"\(f(left + plotWidth + 10))\" y=\"\(f(legendY + 22))\" fill=\"#555\" font-size=\"11\">that meets the objective</text>\n"
        svg += "</svg>\n"
        return svg
    }
}
