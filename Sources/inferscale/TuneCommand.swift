import ArgumentParser
import Foundation
import Rules
import Simulation
#if canImport(Glibc)
import Glibc
#endif

/// `inferscale tune`: replays parameter variants of each policy family on a trace, prints
/// each family's Pareto frontier of cost against latency, and writes the cheapest variant
/// that meets the objective as a rule file.
struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Find the cheapest settings of each policy family that meet a latency objective on a trace.",
        discussion: """
            Replays variants of each family through the same model and control loop as \
            `simulate`, several at once (one per core): kpa (Knative's KPA on concurrency: per-pod \
            target × scale-down delay × stable window, 100 variants), hpa (the HPA baseline: \
            target × scale-down stabilisation, 25), fixed (only when named: static counts 1–16, \
            then 20 to 96, 26), objective (only when named: the objective \
            policy for this run's --ttft-objective, sized for quantile 0.9, 0.95, 0.98, 0.99 × \
            5, 10, 20 min of demand history, 12; from the rule named objective in --rules, else \
            built in) and any rule of --rules (its per-pod targets scaled together × its \
            scale-down delay). Every variant is also compared with the clairvoyant oracle \
            (vs oracle), a reference schedule, not a lower bound, and with the lower bound on any \
            scaler's replica-seconds at the objective (vs bound, at least 1× for every variant that \
            meets it). The objective is met when at most \
            1 − Q of the requests get their first token later than --ttft-objective.

            For each family it prints the Pareto frontier (variants no other beats on both \
            replica-seconds and the share over the objective) and the cheapest variant that \
            meets the objective, and writes that variant as a rule file, tuned-FAMILY.yaml, in \
            --out (or the current directory), which `inferscale lint` passes. The hpa and fixed \
            families are not inferscale rules: their settings are printed instead. The same inputs give the \
            same report, byte for byte.

            Examples:
              inferscale tune --to 1800
              inferscale tune --trace AzureLLMInferenceTrace_conv.csv --family kpa --family llama-chat --rules rules --out tuned
              inferscale tune --model llama-8b-1xh100 --ttft-objective 1 --objective-quantile 0.99 --json
            """
    )

    @OptionGroup var replay: ReplayOptions

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Family to tune: kpa, hpa, fixed, objective or a rule's name; repeat for more (default: kpa and hpa).", valueName: "name"))
    var family: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Rule file or directory, for rule families; repeat for more.", valueName: "path"))
    var rules: [String] = []

    @Option(name: .long, help: ArgumentHelp("Replays run at once (default: the machine's cores).", valueName: "n"))
    var parallel: Int?

    @Option(name: .long, help: ArgumentHelp("Write the rule files, report.json, frontier.svg and index.html here (rule files otherwise go to the current directory).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Print the report as JSON instead of tables.")
    var json = false

    func validate() throws {
        if let n = parallel, !(1...256).contains(n) { throw ValidationError("--parallel must be 1-256") }
    }

    func run() async throws {
        let (traceName, windowed) = try replay.loadTrace()
        let profile = try replay.profile(for: windowed)
        let ruleSet = try ReplayInputs.rules(rules)
        let families: [any TuneFamily]
        do {
            families = try (family.isEmpty ? TuneFamilies.builtIn : family).map { name throws(TuneError) in try TuneFamilies.named(name, rules: ruleSet) }
        } catch {
            throw InputError(message: error.message)
        }

        var configuration = TuneConfiguration(base: replay.configuration(trace: windowed, profile: profile, policies: []), families: families)
        configuration.objectiveQuantile = replay.objectiveQuantile
        if let parallel { configuration.parallelism = parallel }
        // The clairvoyant reference (OracleSchedule, not a lower bound): every variant gets a "vs oracle" ratio.
        configuration.reference = .oracle
        // The lower bound at the objective: every variant also gets a "vs bound" ratio.
        configuration.bound = true

        let bar = isatty(2) == 1 ? ProgressBar(label: "tuning") : nil
        let report: TuneReport
        do {
            report = try await Tuner.run(configuration) { done, total in bar?.show(Double(done) / Double(total)) }
        } catch {
            throw InputError(message: error.message)
        }
        bar?.clear()

        let ruleFiles = try writeRuleFiles(report)
        let summary = TuneSummary(report, trace: traceName, requests: windowed.requests.count, ruleFiles: ruleFiles)
        let heading = "\(traceName): \(windowed.requests.count) requests over \(Int(windowed.duration)) s; model \(profile.name), " +
            "cold start \(Int(replay.coldStart ?? profile.coldStartSeconds)) s; objective: TTFT ≤ \(report.ttftObjectiveSeconds) s for \(replay.objectiveQuantile * 100) % of requests"
        if json {
            print(try summary.jsonString())
        } else {
            print(heading + "\n")
            print(TuneTable.render(report), terminator: "")
            for line in settingsNotes(report, ruleFiles: ruleFiles) { print(line) }
        }
        fflush(nil)
        if let out { try writeReport(report, summary: summary, heading: heading, ruleFiles: ruleFiles, to: out) }
    }

    /// For each family whose cheapest variant meeting the objective is a rule, that rule's
    /// file; returns the paths by family.
    private func writeRuleFiles(_ report: TuneReport) throws -> [String: String] {
        let dir = out ?? "."
        var written: [String: String] = [:]
        for family in report.families {
            guard let c = family.cheapestMeetingObjective, let text = family.entries[c].variant.ruleFile else { continue }
            let safe = String(family.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            let path = "\(dir)/tuned-\(safe).yaml"
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw InputError(message: "\(path): cannot write the rule file: \(error.localizedDescription)")
            }
            written[family.name] = path
        }
        return written
    }

    /// What to do with each family's result: the rule file written, or the HPA's settings.
    private func settingsNotes(_ report: TuneReport, ruleFiles: [String: String]) -> [String] {
        report.families.compactMap { family in
            guard let c = family.cheapestMeetingObjective else { return nil }
            let v = family.entries[c].variant
            if let path = ruleFiles[family.name] { return "\(family.name): wrote \(path) (\(v.name))" }
            if case .hpa = v.policy {
                let values = Dictionary(v.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                return "\(family.name): not an inferscale rule; set the HorizontalPodAutoscaler's per-pod concurrency target to " +
                    "\(values["target"].map(RuleWriter.number) ?? "?") and behavior.scaleDown.stabilizationWindowSeconds to \(values["stabilisationWindow"].map(RuleWriter.number) ?? "?")"
            }
            if case .fixed(let n) = v.policy {
                return "\(family.name): not an inferscale rule; the cheapest static count that meets the objective is \(n) replicas (spec.replicas, no autoscaler)"
            }
            return nil
        }
    }

    private func writeReport(_ report: TuneReport, summary: TuneSummary, heading: String, ruleFiles: [String: String], to dir: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try summary.jsonString().write(toFile: "\(dir)/report.json", atomically: true, encoding: .utf8)
            try FrontierChart.render(report).write(toFile: "\(dir)/frontier.svg", atomically: true, encoding: .utf8)
            let facts = [heading, "Every variant's figures are in report.json; the page lists each family's frontier and, folded, all its variants."]
            try HTMLPage.tune(report, heading: "inferscale tune", facts: facts, ruleFiles: ruleFiles)
                .write(toFile: "\(dir)/index.html", atomically: true, encoding: .utf8)
        } catch {
            throw InputError(message: "\(dir): cannot write the report: \(error.localizedDescription)")
        }
        printError("wrote \(dir)/index.html, \(dir)/report.json and \(dir)/frontier.svg")
    }
}
