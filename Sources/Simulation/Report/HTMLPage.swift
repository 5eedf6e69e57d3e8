/// One self-contained page per report (`index.html`): the table, the charts and, for tune,
/// the frontier, all inline — no scripts, fonts or requests to the network — so it opens
/// from a laptop's disk or a CI artefact as it is. Every table cell carries the JSON key
/// of the figure it shows (`data-key`), so the page can be checked against report.json.
public enum HTMLPage {
    /// `simulate --out`'s page: `facts` are lines about the run (trace, model, objective).
    public static func simulation(_ report: SimulationReport, heading: String, facts: [String]) -> String {
        var body = header(heading, facts)
        let columns = ReportTable.columns(report)
        body += "<h2>Results</h2>\n" + table(id: "results", columns: columns, rows: report.results.map { ReportTable.cells($0, report) })
        if ReportTable.withOracle(report) { body += "<p>\(escape(ReportTable.oracleNote)).</p>\n" }
        if let bound = report.bound {
            // Its own table, keyed by report.json's `bound` object: it is not a replay's result.
            let columns = ReportTable.columns(report).map { c -> (header: String, key: String) in
                switch c.key {
                case "replicaSeconds", "gpuHours": (c.header, "bound.\(c.key)")
                case "policy": (c.header, "bound")
                default: (c.header, "")
                }
            }
            body += "<h2>Lower bound</h2>\n" + table(id: "bound", columns: columns, rows: [ReportTable.boundCells(bound, report)])
            body += "<p>\(escape(ReportTable.boundNote(bound))).</p>\n"
        }
        if report.series.contains(where: { !$0.isEmpty }) {
            body += "<h2>Ready replicas by policy</h2>\n<figure>\(SVGChart.comparison(report))</figure>\n"
            body += "<h2>Each policy</h2>\n"
            for (result, series) in zip(report.results, report.series) where !series.isEmpty {
                body += "<figure>\(SVGChart.policy(result.policy, series: series))</figure>\n"
            }
        }
        return page(title: heading, body: body)
    }

    /// `tune --out`'s page: the frontier chart, then per family its frontier and every variant;
    /// `ruleFiles` are the rule files written, by family.
    public static func tune(_ report: TuneReport, heading: String, facts: [String], ruleFiles: [String: String] = [:]) -> String {
        var body = header(heading, facts)
        body += "<h2>Frontier</h2>\n<figure>\(FrontierChart.render(report))</figure>\n"
        if let ref = report.reference {
            body += "<p>Reference <b>\(escape(ref.policy))</b>: \(Int(ref.replicaSeconds.rounded())) replica-seconds\(escape(TuneTable.referenceNote(ref))).</p>\n"
        }
        if let bound = report.bound { body += "<p>\(escape(TuneTable.boundLine(bound))).</p>\n" }
        for family in report.families {
            let columns = TuneTable.columns(family, report)
            body += "<h2>\(escape(family.name))</h2>\n<p>\(escape(TuneTable.summary(family, report)))"
            if let path = ruleFiles[family.name] { body += "; rule file <code>\(escape(path))</code>" }
            body += ".</p>\n<h3>Frontier</h3>\n"
            body += table(id: "frontier-\(family.name)", columns: columns, rows: family.frontier.map { TuneTable.cells(family.entries[$0], report) })
            body += "<details><summary>All \(family.entries.count) variants</summary>\n"
            body += table(id: "variants-\(family.name)", columns: columns, rows: family.entries.map { TuneTable.cells($0, report) })
            body += "</details>\n"
        }
        return page(title: heading, body: body)
    }

    static func header(_ heading: String, _ facts: [String]) -> String {
        "<h1>\(escape(heading))</h1>\n" + facts.map { "<p class=\"fact\">\(escape($0))</p>\n" }.joined()
    }

    static func table(id: String, columns: [(header: String, key: String)], rows: [[String]]) -> String {
        var out = "<table id=\"\(escape(id))\">\n<thead><tr>"
        out += columns.map { "<th>\(escape($0.header))</th>" }.joined()
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + zip(columns, row).map { "<td data-key=\"\(escape($0.0.key))\">\(escape($0.1))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 1280px; padding: 0 1rem; color: #222; background: #fff; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; }
        p.fact { margin: 0.2rem 0; color: #444; }
        table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; display: block; overflow-x: auto; }
        th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; white-space: nowrap; }
        th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
        tbody tr:nth-child(even) { background: #fafafa; }
        figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
        code { font-size: 0.9em; }
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static func escape(_ s: String) -> String {
        SVGChart.escape(s).replacingOccurrences(of: "\"", with: "&quot;")
    }
}
