import ArgumentParser
import AutoscalerCore
import ClusterAdapters
import Foundation
import Kubernetes
import Rules
import Scaling

/// `inferscale check`: what `run` would scale in the cluster, and why anything is left alone.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List every target in the namespaces with its rule, who owns its replicas, and why anything is skipped.",
        discussion: """
            Reads the cluster once, as `inferscale run` would on its first refresh (InferenceServices, \
            LLMInferenceServices, HPAs, ScaledObjects and the Deployments the rules name), and prints one \
            line per target: its kind and role, the rule that applies, its state (owned, paused or skipped), \
            its replicas, and for a skipped target the reason and what to do. Nothing is written to the \
            cluster. Exit status 0 when every target is owned or paused, 3 when any is skipped or has no \
            valid policy, 1 on an error.

            Examples:
              inferscale check --kubeconfig ~/.kube/config --namespace llm --rules rules
              inferscale check --namespace llm --namespace batch --json
            """
    )

    @Option(name: .long, help: ArgumentHelp("Rule files or directories.", valueName: "path"))
    var rules: [String] = []

    @Option(name: .customLong("namespace"), help: ArgumentHelp("A namespace to read (repeatable; default: default).", valueName: "name"))
    var namespaces: [String] = []

    @Option(name: .long, help: ArgumentHelp("Kubeconfig file (default: in-cluster service account, else $KUBECONFIG).", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("Kubeconfig context.", valueName: "name"))
    var context: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    /// One target as `check` reports it.
    struct Line: Codable, Equatable {
        var target: String
        var kind: String
        var role: String?
        var rule: String?
        var state: String
        var replicas: Int
        var reason: String?
    }

    func run() async throws {
        let ruleSet: RuleSet
        do {
            ruleSet = rules.isEmpty ? .empty : try RuleFiles.load(paths: rules)
        } catch {
            throw InputError(message: "the rules are not valid:\n\(error)")
        }
        let configuration = try KubernetesConnection.configuration(
            kubeconfig: kubeconfig, context: context, environment: ProcessInfo.processInfo.environment)
        let api = try KubernetesClient(configuration: configuration)
        let lines: [Line]
        do {
            let discovery = KubernetesDiscovery(api: api, namespaces: namespaces.isEmpty ? ["default"] : namespaces,
                                                namedDeployments: { ruleSet.namedDeployments })
            lines = try await discovery.targets().map { Self.line(for: $0, rules: ruleSet) }
        } catch {
            try? await api.shutdown()
            throw InputError(message: "could not read the cluster: \(error)")
        }
        try? await api.shutdown()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(lines), as: UTF8.self))
        } else {
            print(Self.table(lines))
        }
        if lines.contains(where: { $0.state == "skipped" || $0.state == "invalid" }) { throw ExitCode(3) }
    }

    static func line(for target: DiscoveredTarget, rules: RuleSet) -> Line {
        var line = Line(target: target.key, kind: target.description.kind, role: target.description.role,
                        rule: rules.rule(for: target.description)?.name, state: target.control.state, replicas: target.replicas)
        switch target.control {
        case .skipped(let reason):
            line.reason = reason
        case .paused(let holdAt):
            line.reason = holdAt.map { "held at \($0) by inferscale.dev/paused-replicas" } ?? "inferscale.dev/paused: decisions are not applied"
        case .owned:
            do {
                _ = try ResolvedPolicy.resolve(rule: rules.rule(for: target.description), target: target.description)
            } catch {
                line.state = "invalid"
                line.reason = "no valid policy: \(error.description)"
            }
        }
        return line
    }

    static func table(_ lines: [Line]) -> String {
        guard !lines.isEmpty else { return "no targets found" }
        let header = ["TARGET", "KIND", "ROLE", "RULE", "STATE", "REPLICAS", "WHY"]
        let rows = lines.map { [$0.target, $0.kind, $0.role ?? "-", $0.rule ?? "-", $0.state, "\($0.replicas)", $0.reason ?? ""] }
        let widths = (0..<header.count - 1).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func render(_ row: [String]) -> String {
            (0..<row.count).map { $0 < widths.count ? row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) : row[$0] }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([render(header)] + rows.map(render)).joined(separator: "\n")
    }
}
