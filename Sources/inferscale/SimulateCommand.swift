import ArgumentParser
import Foundation
import Rules
import Scaling
import Simulation
#if canImport(Glibc)
import Glibc
#endif

/// `inferscale simulate`: replays a traffic trace through a cluster model driven by the same
/// control loop that runs in the cluster, for each policy, and compares cost and latency.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay a traffic trace through the rules and compare cost and latency with KPA and HPA.",
        discussion: """
            Every request of the trace goes through a discrete-event model of the target's \
            replicas (cold starts; for LLM servers, vLLM V1's step scheduler with a token budget, \
            chunked prefill, KV-cache blocks and preemption; slots for predictive models) and a \
            gateway queue that holds requests while no ready replica has room. \
            Each simulated second the control loop of `inferscale run` scrapes the replicas' \
            signals; every two seconds it decides, and its scale calls start or stop replicas.

            Policies: kpa (Knative's decider on concurrency, at least one replica as KServe \
            sets it), hpa (Kubernetes' HPA algorithm on concurrency per pod), and every rule of \
            --rules (by default those whose runtime fits the model: vllm, tgi, sglang and triton \
            for LLM traces, kserve and queue-proxy otherwise; rules for one role of disaggregated \
            serving, match.role, only when named). Ratios are to kpa in the same run.

            Without --trace, a bundled 20-minute slice of the Azure LLM 2023 code trace is \
            replayed (CC-BY 4.0, Patel et al., Splitwise, ISCA 2024). docs/simulation.md lists \
            the model's assumptions.

            Examples:
              inferscale simulate --rules rules
              inferscale simulate --trace AzureLLMInferenceTrace_conv.csv --rules rules --out report
              inferscale simulate --trace conversation_trace.jsonl --speed 2 --policy kpa --policy llama-chat --rules rules --json
              inferscale simulate --model llama-70b-4xh100 --max-num-batched-tokens 2048 --max-num-seqs 128 --rules rules
            """
    )

    @OptionGroup var replay: ReplayOptions

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Rule file or directory; repeat for more.", valueName: "path"))
    var rules: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Policy to replay: kpa, hpa, fixed-N (N replicas throughout), oracle (clairvoyant reference), bound (the lower bound on any scaler's replica-seconds at --objective-quantile, not a replay), objective (the rule named objective, else the built-in one, sized for --ttft-objective) or a rule's name; repeat for more (default: kpa, hpa and the fitting rules).", valueName: "name"))
    var policy: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write index.html, report.json, comparison.svg, and per policy an SVG chart and a per-second CSV here.", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Print the report as JSON instead of a table.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Push each policy's per-second series by Prometheus remote-write, shifted to end now.", valueName: "url"))
    var remoteWrite: String?

    func run() async throws {
        let (traceName, windowed) = try replay.loadTrace()
        let profile = try replay.profile(for: windowed)
        let ruleSet = try ReplayInputs.rules(rules)
        let objective = replay.ttftObjective ?? profile.ttftObjectiveSeconds
        let policies = try choosePolicies(ruleSet, profile: profile).map { choice in
            // The objective rule sizes for this run's objective, whatever its file states.
            guard case .rule(var rule) = choice, rule.policy.objective != nil, rule.name == ObjectivePolicy.name else { return choice }
            rule.policy.objective?.ttftSeconds = objective
            rule.policy.objective?.quantile = replay.objectiveQuantile
            return .rule(rule)
        }

        var configuration = replay.configuration(trace: windowed, profile: profile, policies: policies)
        configuration.keepSeries = out != nil || remoteWrite != nil

        let bar = isatty(2) == 1 ? ProgressBar() : nil
        let report = await Simulator.run(configuration) { share in bar?.show(share) }
        bar?.clear()

        let summary = ReportSummary(trace: traceName, requests: windowed.requests.count, seconds: windowed.duration,
                                    profile: profile.name, coldStartSeconds: replay.coldStart ?? profile.coldStartSeconds,
                                    ttftObjectiveSeconds: report.ttftObjectiveSeconds, baselineTarget: replay.baselineTarget ?? profile.concurrencyTarget,
                                    results: report.results, bound: report.bound)
        if json {
            print(try summary.jsonString())
        } else {
            print("\(traceName): \(windowed.requests.count) requests over \(Int(windowed.duration)) s; model \(profile.name), " +
                  "cold start \(Int(summary.coldStartSeconds)) s, TTFT objective \(summary.ttftObjectiveSeconds) s, kpa/hpa target \(summary.baselineTarget) per pod")
            print(ReportTable.render(report), terminator: "")
        }
        fflush(nil)  // the report before any notes on stderr, also when stdout is a pipe
        if let out { try write(report, summary: summary, to: out) }
        if let remoteWrite {
            let outcome: SimulationPush.Outcome
            do {
                outcome = try await SimulationPush.push(report, to: remoteWrite, target: "simulation/\(profile.name)")
            } catch {
                throw InputError(message: "remote-write: \(error)")
            }
            printError("remote-write: \(outcome.sent) samples sent to \(remoteWrite), \(outcome.failed) failed, \(outcome.dropped) dropped; the replay ends now")
            if outcome.failed + outcome.dropped > 0 {
                printError("error: not every sample arrived: the receiver could not be reached, or refused them (Prometheus refuses samples older than its head block, about 1–2 h: replay a shorter window)")
                throw ExitCode(1)
            }
        }
    }

    private func choosePolicies(_ ruleSet: RuleSet, profile: ModelProfile) throws -> [PolicyChoice] {
        let rulesByName = Dictionary(ruleSet.rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if !policy.isEmpty {
            return try policy.map { name in
                switch name {
                case "kpa": return .kpa
                case "hpa": return .hpa
                case "oracle": return .oracle
                case "bound": return .bound
                case ObjectivePolicy.name where rulesByName[name] == nil:
                    return .rule(ObjectivePolicy.rule(ttftSeconds: replay.ttftObjective ?? profile.ttftObjectiveSeconds, quantile: replay.objectiveQuantile))
                case let n where n.hasPrefix("fixed-"):
                    guard let count = Int(n.dropFirst(6)), (0...10_000).contains(count) else {
                        throw InputError(message: "--policy \(n): fixed-N takes a replica count 0-10000")
                    }
                    return .fixed(count)
                default:
                    guard let rule = rulesByName[name] else {
                        let known = ["kpa", "hpa", "fixed-N", "oracle", "bound", ObjectivePolicy.name] + ruleSet.rules.map(\.name)
                        throw InputError(message: "unknown --policy \(name); known: \(known.joined(separator: ", "))\(rules.isEmpty ? " (no --rules given)" : "")")
                    }
                    return .rule(rule)
                }
            }
        }
        let llmRuntimes: Set<Rule.Runtime> = [.vllm, .tgi, .sglang, .triton]
        let isLLM: Bool = if case .llm = profile.kind { true } else { false }
        let fitting = ruleSet.rules.filter { rule in
            // The simulated replica serves prefill and decode together: a rule for one role would be
            // replayed as if it scaled the whole model, so it is left out unless named with --policy.
            guard rule.match.role == nil else { return false }
            guard let runtime = rule.source.runtime else { return true }
            return llmRuntimes.contains(runtime) == isLLM
        }
        return [.kpa, .hpa] + fitting.map { .rule($0) }
    }

    /// A policy's name as a file name: letters, digits, `-` and `_` kept, anything else `_`.
    private static func fileName(_ policy: String) -> String {
        String(policy.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    private func write(_ report: SimulationReport, summary: ReportSummary, to dir: String) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try summary.jsonString().write(toFile: "\(dir)/report.json", atomically: true, encoding: .utf8)
            for (result, series) in zip(report.results, report.series) {
                let safe = Self.fileName(result.policy)
                try SVGChart.policy(result.policy, series: series).write(toFile: "\(dir)/\(safe).svg", atomically: true, encoding: .utf8)
                let csv = "time_s,arrivals,ready,replicas,queued\n" + series.map { "\(Int($0.time)),\($0.arrivals),\($0.ready),\($0.replicas),\($0.queued)" }.joined(separator: "\n") + "\n"
                try csv.write(toFile: "\(dir)/\(safe).csv", atomically: true, encoding: .utf8)
            }
            // The control loop's records, one JSON object a line, as `/debug/decisions` shows them:
            // why each count was asked for (the objective policy's capacity, demand and forecast).
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for (result, records) in zip(report.results, report.decisions) where !records.isEmpty {
                let safe = Self.fileName(result.policy)
                let lines = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
                try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/\(safe)-decisions.jsonl", atomically: true, encoding: .utf8)
            }
            try SVGChart.comparison(report).write(toFile: "\(dir)/comparison.svg", atomically: true, encoding: .utf8)
            let facts = ["\(summary.trace): \(summary.requests) requests over \(Int(summary.seconds)) s",
                         "model \(summary.profile), cold start \(Int(summary.coldStartSeconds)) s, TTFT objective \(summary.ttftObjectiveSeconds) s, kpa/hpa target \(summary.baselineTarget) per pod",
                         "Ratios are to kpa in the same run; report.json holds every figure, the CSV files the per-second series."]
            try HTMLPage.simulation(report, heading: "inferscale simulate", facts: facts)
                .write(toFile: "\(dir)/index.html", atomically: true, encoding: .utf8)
        } catch {
            throw InputError(message: "\(dir): cannot write the report: \(error.localizedDescription)")
        }
        printError("wrote \(dir)/index.html, \(dir)/report.json, \(dir)/comparison.svg, a chart (.svg) and series (.csv) per policy, and the decision records (-decisions.jsonl) of those the control loop decides")
    }
}

/// The JSON report: what was replayed and each policy's result.
struct ReportSummary: Codable {
    var trace: String
    var requests: Int
    var seconds: Double
    var profile: String
    var coldStartSeconds: Double
    var ttftObjectiveSeconds: Double
    var baselineTarget: Double
    var results: [PolicyResult]
    /// The lower bound, when `--policy bound` asked for it (not a replay: no latency figures).
    var bound: ClairvoyantBound.Result?

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// A one-line progress bar on stderr (only used when stderr is a terminal).
final class ProgressBar: Sendable {
    /// What is in progress: `simulating`, `tuning`.
    let label: String

    init(label: String = "simulating") { self.label = label }

    func show(_ share: Double) {
        let width = 30
        let filled = Int((share * Double(width)).rounded())
        writeAll("\r\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(Int(share * 100))%", to: 2)
    }

    func clear() { writeAll("\r" + String(repeating: " ", count: 50) + "\r", to: 2) }
}
