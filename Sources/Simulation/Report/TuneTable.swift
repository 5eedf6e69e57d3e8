import Foundation

/// `tune`'s report as terminal text: per family its Pareto frontier (every variant is in
/// the JSON and the page) and the cheapest variant that meets the objective.
public enum TuneTable {
    public static func render(_ report: TuneReport) -> String {
        var out = ""
        if let ref = report.reference {
            out += "reference \(ref.policy)\(referenceNote(ref)): \(String(format: "%.0f", ref.replicaSeconds)) replica-s, \(String(format: "%.1f%%", ref.overObjectiveShare * 100)) over\n\n"
        }
        if let bound = report.bound { out += boundLine(bound) + "\n\n" }
        for family in report.families {
            out += "\(family.name): \(family.entries.count) variants, \(family.frontier.count) on the frontier of replica-seconds against the share over \(ReportTable.seconds(report.ttftObjectiveSeconds)) (objective: at most \(String(format: "%.1f%%", report.allowedShare * 100)))\n"
            let columns = self.columns(family, report)
            var rows = [columns.map(\.header)]
            for i in family.frontier { rows.append(cells(family.entries[i], report)) }
            out += ReportTable.layout(rows)
            out += summary(family, report) + "\n\n"
        }
        return out
    }

    /// What the reference replay is, after its name: the oracle is a clairvoyant schedule whose
    /// cost a policy allowed a larger share over the objective can undercut.
    public static func referenceNote(_ reference: PolicyResult) -> String {
        reference.policy == PolicyChoice.oracle.name ? " (clairvoyant reference, not a lower bound)" : ""
    }

    /// The lower bound in one line: its figure and what it bounds.
    public static func boundLine(_ bound: ClairvoyantBound.Result) -> String {
        "lower bound \(String(format: "%.0f", bound.replicaSeconds)) replica-s: " + ReportTable.boundNote(bound).dropFirst("bound: ".count)
    }

    /// The line that names the family's cheapest variant meeting the objective, or says none does.
    public static func summary(_ family: TuneReport.Family, _ report: TuneReport) -> String {
        if let c = family.cheapestMeetingObjective {
            let r = family.entries[c].result
            return "cheapest meeting the objective: \(r.policy) (\(String(format: "%.0f", r.replicaSeconds)) replica-s, \(String(format: "%.1f%%", r.overObjectiveShare * 100)) over)"
        }
        if let l = family.lowestShare {
            let r = family.entries[l].result
            return "no variant meets the objective; the lowest share over it: \(r.policy) (\(String(format: "%.1f%%", r.overObjectiveShare * 100)) at \(String(format: "%.0f", r.replicaSeconds)) replica-s)"
        }
        return "no variants"
    }

    /// Header and JSON key of each column; parameters are keyed `parameters.NAME`.
    public static func columns(_ family: TuneReport.Family, _ report: TuneReport) -> [(header: String, key: String)] {
        var out: [(String, String)] = [("variant", "name")]
        for p in family.entries.first?.variant.parameters ?? [] {
            out.append(("\(p.name) (\(p.unit))", "parameters.\(p.name)"))
        }
        out += [("replica-s", "replicaSeconds")]
        if let ref = report.reference { out.append(("vs \(ref.policy)", "replicaSecondsVsReference")) }
        if report.bound != nil { out.append(("vs bound", "replicaSecondsVsBound")) }
        out += [("> \(ReportTable.seconds(report.ttftObjectiveSeconds))", "overObjectiveShare"), ("TTFT p95", "ttftP95"),
                ("p99", "ttftP99"), ("failed", "failed"), ("scales", "scaleEvents"), ("meets", "meetsObjective")]
        return out
    }

    /// One variant's cells, in the order of `columns`.
    public static func cells(_ e: TuneReport.Entry, _ report: TuneReport) -> [String] {
        let r = e.result
        var out = [e.variant.name] + e.variant.parameters.map { RuleVariants.label($0.value) }
        out.append(String(format: "%.0f", r.replicaSeconds))
        if report.reference != nil { out.append(e.replicaSecondsVsReference.map { String(format: "%.2f×", $0) } ?? "-") }
        if report.bound != nil { out.append(e.replicaSecondsVsBound.map { String(format: "%.2f×", $0) } ?? "-") }
        out += [String(format: "%.1f%%", r.overObjectiveShare * 100), ReportTable.seconds(r.ttftP95), ReportTable.seconds(r.ttftP99),
                "\(r.failed)", "\(r.scaleEvents)", TuneReport.meets(r.overObjectiveShare, quantile: report.objectiveQuantile) ? "yes" : "no"]
        return out
    }
}
