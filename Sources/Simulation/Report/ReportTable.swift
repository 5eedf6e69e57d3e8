import Foundation

/// The comparison as a terminal table, one row per policy.
public enum ReportTable {
    public static func render(_ report: SimulationReport) -> String {
        var rows = [columns(report).map(\.header)]
        for r in report.results { rows.append(cells(r, report)) }
        if let bound = report.bound { rows.append(boundCells(bound, report)) }
        return layout(rows) + (withOracle(report) ? oracleNote + "\n" : "") + (report.bound.map { boundNote($0) + "\n" } ?? "")
    }

    /// Said under a table with the bound's row: what it bounds (docs/simulation.md, "The lower bound").
    public static func boundNote(_ bound: ClairvoyantBound.Result) -> String {
        let share = String(format: "%.1f%%", (1 - bound.objectiveQuantile) * 100)
        var note = "bound: the fewest replica-seconds any scaler keeping \(bound.minReplicas) replica\(bound.minReplicas == 1 ? "" : "s") spends " +
            "with at most \(share) of requests over the objective (\(bound.allowedLate) of them; \(bound.forcedLate) are late under any schedule); " +
            "vs bound is at least 1× for every policy at or under \(share)"
        if !bound.feasible { note += "; no schedule reaches \(share): more requests than that are late under any" }
        return note
    }

    /// The bound's row: its replica-seconds and GPU-hours and the ratios that apply; no latency
    /// or share, as nothing was replayed.
    public static func boundCells(_ bound: ClairvoyantBound.Result, _ report: SimulationReport) -> [String] {
        func ratio(_ policy: String) -> String {
            guard let r = report.results.first(where: { $0.policy == policy }), r.replicaSeconds > 0 else { return "-" }
            return String(format: "%.2f×", bound.replicaSeconds / r.replicaSeconds)
        }
        var row = [PolicyChoice.bound.name, String(format: "%.0f", bound.replicaSeconds), ratio("kpa")]
        if withOracle(report) { row.append(ratio(PolicyChoice.oracle.name)) }
        row.append(bound.replicaSeconds > 0 ? "1.00×" : "-")
        row.append(String(format: "%.2f", bound.gpuHours))
        return row + Array(repeating: "-", count: columns(report).count - row.count)
    }

    /// Said under a table with `vs oracle`: the ratio is to a reference at its own share, which a
    /// policy that lets more requests be late can undercut (docs/simulation.md, "The oracle").
    public static let oracleNote = "vs oracle: replica-seconds over the clairvoyant oracle's, a reference at its own share over the objective, not a lower bound"

    /// Rows as aligned columns: the first left-aligned, the rest right-aligned; a rule under the header.
    static func layout(_ rows: [[String]]) -> String {
        var widths = Array(repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for (n, row) in rows.enumerated() {
            let cells = row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == 0 ? cell + pad : pad + cell
            }
            out += cells.joined(separator: "  ") + "\n"
            if n == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }

    /// The columns: header text and the `PolicyResult` field (its JSON key) each shows. `vs oracle` only
    /// when the oracle was replayed and `vs bound` only with the bound, so reports without them keep their shape.
    public static func columns(_ report: SimulationReport) -> [(header: String, key: String)] {
        var columns: [(header: String, key: String)] = [
            ("policy", "policy"), ("replica-s", "replicaSeconds"), ("vs kpa", "replicaSecondsVsKPA"), ("GPU-h", "gpuHours"),
            ("TTFT mean", "ttftMean"), ("p50", "ttftP50"), ("p95", "ttftP95"), ("p99", "ttftP99"), ("wait p99", "queueWaitP99"),
            ("e2e mean", "e2eMean"), ("out tok/s", "outputTokensPerSecond"), ("> \(seconds(report.ttftObjectiveSeconds))", "overObjectiveShare"),
            ("failed", "failed"), ("scales", "scaleEvents"), ("flaps", "flaps"), ("cold", "coldStarts"), ("at zero", "secondsAtZero"),
        ]
        if withOracle(report) { columns.insert(("vs oracle", "replicaSecondsVsOracle"), at: 3) }
        if report.bound != nil { columns.insert(("vs bound", "replicaSecondsVsBound"), at: withOracle(report) ? 4 : 3) }
        return columns
    }

    /// One result's cells, in the order of `columns(report)`.
    public static func cells(_ r: PolicyResult, _ report: SimulationReport) -> [String] {
        var row = [
            r.policy, String(format: "%.0f", r.replicaSeconds), r.replicaSecondsVsKPA.map { String(format: "%.2f×", $0) } ?? "-",
            String(format: "%.2f", r.gpuHours), seconds(r.ttftMean), seconds(r.ttftP50), seconds(r.ttftP95), seconds(r.ttftP99),
            seconds(r.queueWaitP99), seconds(r.e2eMean), String(format: "%.0f", r.outputTokensPerSecond),
            String(format: "%.1f%%", r.overObjectiveShare * 100), "\(r.failed)", "\(r.scaleEvents)", "\(r.flaps)", "\(r.coldStarts)",
            seconds(r.secondsAtZero),
        ]
        if withOracle(report) { row.insert(r.replicaSecondsVsOracle.map { String(format: "%.2f×", $0) } ?? "-", at: 3) }
        if report.bound != nil { row.insert(r.replicaSecondsVsBound.map { String(format: "%.2f×", $0) } ?? "-", at: withOracle(report) ? 4 : 3) }
        return row
    }

    static func withOracle(_ report: SimulationReport) -> Bool {
        report.results.contains { $0.replicaSecondsVsOracle != nil }
    }

    /// Seconds as a short text: `0s`, `450ms`, `1.23s`, `12.3s`, `123s`.
    public static func seconds(_ s: Double) -> String {
        if s == 0 { return "0s" }
        if s < 1 { return String(format: "%.0fms", s * 1000) }
        if s >= 100 { return String(format: "%.0fs", s) }
        if s >= 10 { return String(format: "%.1fs", s) }
        return String(format: "%.2fs", s)
    }
}
