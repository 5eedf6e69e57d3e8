import ArgumentParser
import Rules

/// `inferscale lint`: validates rule files and warns about rules that are legal but likely wrong.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Validate rule files and warn about likely mistakes.",
        discussion: """
            Reads YAML rule files (or directories of them, such as a mounted ConfigMap) and checks them \
            as inferscale would before putting them in force. Errors (exit status 1) name file:line:column \
            and what is expected; warnings (exit status 0) point at rules that are legal but likely wrong: \
            a panic window longer than its stable window, a scale-down delay or scale-to-zero grace \
            shorter than the cold start, minReplicas 0 without a push source to wake the target, a signal \
            the runtime does not expose or a renamed metric name, a per-pod target one pod cannot reach, \
            and rules that can own the same targets. See docs/rules.md.
            """
    )

    @Argument(help: ArgumentHelp("Rule files or directories (default: rules).", valueName: "path"))
    var paths: [String] = []

    @Flag(name: .long, help: "Treat warnings as errors (exit status 1).")
    var strict = false

    func run() throws {
        let targets = paths.isEmpty ? ["rules"] : paths
        let set: RuleSet
        do {
            set = try RuleFiles.load(paths: targets)
        } catch {
            for e in error.errors { printError("\(e.description.replacingFirst(": ", with: ": error: ", when: e.line > 0))") }
            printError("\(error.errors.count) error\(error.errors.count == 1 ? "" : "s"); the rules were not loaded")
            throw ExitCode(1)
        }
        let warnings = RuleLinter().lint(set)
        for w in warnings { print(w.description) }
        print("\(set.rules.count) rule\(set.rules.count == 1 ? "" : "s") in \(targets.joined(separator: ", ")): \(warnings.isEmpty ? "no problems" : "\(warnings.count) warning\(warnings.count == 1 ? "" : "s")")")
        if strict && !warnings.isEmpty { throw ExitCode(1) }
    }
}

extension String {
    /// Replaces the first occurrence after the `file:line:column` prefix, for "error:" tags.
    func replacingFirst(_ target: String, with replacement: String, when condition: Bool) -> String {
        guard condition else { return self }
        // file:line:column: message — insert after the third colon-separated part.
        var parts = self.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return self }
        parts[3] = Substring(" error:" + parts[3])
        return parts.joined(separator: ":")
    }
}
