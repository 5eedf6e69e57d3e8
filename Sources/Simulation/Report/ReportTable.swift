import Foundation

/// The comparison as a terminal table, one row per policy.
public enum ReportTable {
    public static func render(_ report: SimulationReport) -> String {
        let header = ["policy", "replica-s", "vs kpa", "GPU-h", "TTFT mean", "p50", "p95", "p99", "wait p99", "e2e mean", "out tok/s",
                      "> \(seconds(report.ttftObjectiveSeconds))", "failed", "scales", "flaps", "cold", "at zero"]
        // The oracle's column only when it was replayed: reports without it keep their shape.
        let withOracle = report.results.contains { $0.replicaSecondsVsOracle != nil }
        var rows = [withOracle ? Array(header.prefix(3)) + ["vs oracle"] + header.dropFirst(3) : header]
        for r in report.results {
            var row = [
                r.policy, String(format: "%.0f", r.replicaSeconds), r.replicaSecondsVsKPA.map { String(format: "%.2f×", $0) } ?? "-",
                String(format: "%.2f", r.gpuHours), seconds(r.ttftMean), seconds(r.ttftP50), seconds(r.ttftP95), seconds(r.ttftP99),
                seconds(r.queueWaitP99), seconds(r.e2eMean), String(format: "%.0f", r.outputTokensPerSecond),
                String(format: "%.1f%%", r.overObjectiveShare * 100), "\(r.failed)", "\(r.scaleEvents)", "\(r.flaps)", "\(r.coldStarts)",
                seconds(r.secondsAtZero),
            ]
            if withOracle { row.insert(r.replicaSecondsVsOracle.map { String(format: "%.2f×", $0) } ?? "-", at: 3) }
            rows.append(row)
        }
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

    static func seconds(_ s: Double) -> String {
        if s == 0 { return "0s" }
        if s < 1 { return String(format: "%.0fms", s * 1000) }
        if s >= 100 { return String(format: "%.0fs", s) }
        if s >= 10 { return String(format: "%.1fs", s) }
        return String(format: "%.2fs", s)
    }
}
