import ArgumentParser
import Scaling
#if canImport(Glibc)
import Glibc
#endif

/// `inferscale decide`: replays a load trace through Knative's KPA decision rules and prints
/// every evaluation as CSV. Its flags and output are a contract other tools rely on.
struct DecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Replay a load trace through the KPA decider and print each decision as CSV.",
        discussion: """
            The trace is CSV with the header time_s,concurrency,ready_pods[,rps]; each row holds until \
            the next. Values are revision totals (per pod with --per-pod). Every simulated second the \
            load is recorded (as a pod scrape, or as an activator report when no pod is ready); every \
            even second the decider runs ("tick"), and when load arrives at a revision whose last \
            decision was 0 it runs at once on odd seconds ("poke").

            Output columns: time_s,event,ready_pods,observed_stable,observed_panic,valid,desired_pods,\
            ebc,panic_mode,latest_desired. desired_pods is -1 and observed values NaN when the \
            decision is invalid (no data for a stable window); latest_desired is the last valid \
            decision (-1 before any). A summary goes to stderr.

            With --scale-to-zero, Knative's gating outside the decider runs after every evaluation \
            (min/max and initial scale, scale to zero only after a stable window active, then inactive \
            with the activator in the path for scale-to-zero-grace-period and past the pod retention \
            period) and five columns follow: want (the scale wanted, -1 unknown), replicas (what would be \
            applied; empty when nothing is), activator_in_path (1: SKS Proxy), phase (activating, \
            active, inactive) and gate_reason. With --follow-desired, pods then follow replicas.

            Without --trace, a bundled example trace runs with --follow-desired \
            \(exampleFollowDesiredSeconds).

            Examples:
              inferscale decide --trace load.csv --container-concurrency 10
              inferscale decide --trace load.csv --annotation target=20 --config stable-window=30s
              inferscale decide --trace load.csv --follow-desired 10 --annotation scale-down-delay=60s
            """
    )

    @Option(name: .long, help: ArgumentHelp("Load trace CSV (time_s,concurrency,ready_pods[,rps]).", valueName: "file"))
    var trace: String?

    @Option(name: .long, help: ArgumentHelp("The revision's containerConcurrency: hard limit per pod, 0 = none (0-1000).", valueName: "n"))
    var containerConcurrency: Int = 0

    @Option(name: .customLong("config"), parsing: .singleValue,
            help: ArgumentHelp("A config-autoscaler key, e.g. stable-window=30s (repeatable).", valueName: "key=value"))
    var configValues: [String] = []

    @Option(name: .customLong("annotation"), parsing: .singleValue,
            help: ArgumentHelp("An autoscaling.knative.dev/ annotation, prefix optional, e.g. target=10 (repeatable).", valueName: "key=value"))
    var annotationValues: [String] = []

    @Option(name: .long, help: ArgumentHelp("Pods follow the decisions: down at once, up after this many seconds; ignores ready_pods.", valueName: "seconds"))
    var followDesired: Int?

    @Option(name: .long, help: ArgumentHelp("Ready pods when the decider is created (a restart with more than 1 starts in panic).", valueName: "n"))
    var initialReady: Int?

    @Flag(name: .long, help: "The revision is not routable (no route sends it traffic).")
    var unreachable = false

    @Flag(name: .long, help: "Trace values are per pod; they are multiplied by each second's ready pods.")
    var perPod = false

    @Option(name: .long, help: ArgumentHelp("Last simulated second (default: last trace time + the stable window).", valueName: "seconds"))
    var duration: Int?

    @Flag(name: .long, help: "Also replay Knative's scale-to-zero gating and add the columns want,replicas,activator_in_path,phase,gate_reason.")
    var scaleToZero = false

    @Flag(name: .long, help: "Do not print the summary on stderr.")
    var quiet = false

    func validate() throws {
        if let followDesired, followDesired < 0 { throw ValidationError("--follow-desired must be 0 or more seconds, got \(followDesired)") }
        if let initialReady, initialReady < 0 { throw ValidationError("--initial-ready must be 0 or more, got \(initialReady)") }
        if let duration, duration < 0 { throw ValidationError("--duration must be 0 or more seconds, got \(duration)") }
    }

    func run() throws {
        let policy = try makePolicy()
        let usingExample = trace == nil
        let text: String
        if let trace {
            guard let contents = readFile(trace) else { throw InputError(message: "cannot read trace file \(trace)") }
            text = contents
        } else {
            text = exampleTrace
        }
        let follow = followDesired ?? (usingExample ? exampleFollowDesiredSeconds : nil)
        let parsed: DecideTrace
        do {
            parsed = try DecideTrace(csv: text, requireReadyPods: follow == nil)
        } catch {
            throw InputError(message: "\(trace ?? "example trace"): \(error)")
        }
        let replay = DecideReplay(
            policy: policy,
            options: .init(followDesiredSeconds: follow, initialReady: initialReady, perPod: perPod, durationSeconds: duration,
                           scaleToZero: scaleToZero)
        )
        var output = CSVWriter()
        output.gate = scaleToZero
        output.writeHeader()
        var summary = DecideSummary(policy: policy, source: trace ?? "bundled example trace", followDesired: follow)
        replay.run(parsed) { evaluation in
            output.write(evaluation)
            summary.add(evaluation)
        }
        output.flush()
        if !quiet {
            printError(summary.render())
        }
    }

    private func makePolicy() throws -> KPAPolicy {
        do {
            let config = try AutoscalerConfig(values: try pairs(configValues, flag: "--config"))
            let annotations = try RevisionAnnotations(
                try pairs(annotationValues, flag: "--annotation"), allowZeroInitialScale: config.allowZeroInitialScale)
            return try KPAPolicy(
                config: config, annotations: annotations, containerConcurrency: containerConcurrency, reachable: !unreachable)
        } catch let error as ConfigurationError {
            throw InputError(message: error.description)
        }
    }

    private func pairs(_ values: [String], flag: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in values {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw InputError(message: "\(flag) \(item): expected key=value")
            }
            let key = String(item[..<eq])
            if result[key] != nil { throw InputError(message: "\(flag) \(key) is given twice") }
            result[key] = String(item[item.index(after: eq)...])
        }
        return result
    }
}

/// Reads a whole file as UTF-8, or nil when it cannot be read.
func readFile(_ path: String) -> String? {
    readFileBytes(path).map { String(decoding: $0, as: UTF8.self) }
}

/// Reads a whole file's bytes, or nil when it cannot be read.
func readFileBytes(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
        if n < buffer.count { break }
    }
    if ferror(file) != 0 { return nil }
    return bytes
}
