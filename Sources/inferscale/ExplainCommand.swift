import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Scaling

/// `inferscale explain TARGET`: prints the latest decision records of a target — the inputs
/// per metric, which metric won, each clamp in order, and the result.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain the latest decisions for a target.",
        discussion: """
            Reads decision records from a decision-log file (one JSON object per line, as written by \
            `inferscale run --decision-log FILE`) or from a running inferscale's HTTP API \
            (GET /debug/decisions?target=NAMESPACE/NAME on its --debug-port, which listens on 127.0.0.1 \
            only: reach it with kubectl port-forward). TARGET is namespace/name.
            """
    )

    @Argument(help: ArgumentHelp("The target, as namespace/name.", valueName: "target"))
    var target: String

    @Option(name: .long, help: ArgumentHelp("A decision-log file (JSON lines).", valueName: "file"))
    var log: String?

    @Option(name: .long, help: ArgumentHelp("Base URL of a running inferscale's debug port, e.g. http://127.0.0.1:8090.", valueName: "url"))
    var url: String?

    @Option(name: .long, help: ArgumentHelp("How many of the latest records to print.", valueName: "n"))
    var last: Int = 5

    @Flag(name: .long, help: "Print the records as JSON lines instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for --url to answer.", valueName: "seconds"))
    var timeout: Double = 10

    func validate() throws {
        if (log == nil) == (url == nil) { throw ValidationError("give exactly one of --log FILE or --url URL") }
        if last < 1 { throw ValidationError("--last must be at least 1") }
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        var records: [DecisionRecord]
        if let log {
            guard let text = readFile(log) else { throw InputError(message: "cannot read decision log \(log)") }
            let decoded = DecisionLogCodec.decode(lines: text, source: log)
            // A log cut by a crash (or an older writer) keeps its good lines; each bad one is named.
            for warning in decoded.skipped {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            records = decoded.records.filter { $0.target == target }
        } else if let url {
            records = try await fetch(url)
        } else {
            records = []
        }
        guard !records.isEmpty else {
            throw InputError(message: "no decisions recorded for \(target)")
        }
        records = Array(records.suffix(last))
        if json {
            for r in records { print(try DecisionLogCodec.encode(r)) }
        } else {
            print(records.map(DecisionExplanation.render).joined(separator: "\n\n"))
        }
    }

    private func fetch(_ base: String) async throws -> [DecisionRecord] {
        var components = URLComponents(string: base.hasSuffix("/") ? String(base.dropLast()) : base)
        components?.path += "/debug/decisions"
        components?.queryItems = [URLQueryItem(name: "target", value: target)]
        guard let address = components?.url, address.scheme == "http" || address.scheme == "https" else {
            throw InputError(message: "--url \(base) is not an http(s) URL")
        }
        var request = URLRequest(url: address)
        request.timeoutInterval = timeout
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw InputError(message: "cannot reach \(address): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw InputError(message: "\(address) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        do {
            return try JSONDecoder().decode([DecisionRecord].self, from: data)
        } catch {
            throw InputError(message: "\(address) did not return decision records: \(error)")
        }
    }
}

/// Decision records as JSON lines.
enum DecisionLogCodec {
    static func encode(_ record: DecisionRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    /// Parses JSON lines. A malformed line (a line cut by a crash is the usual case) is
    /// skipped and named in `skipped` as `source:line: …`, so the rest of the log still answers.
    static func decode(lines text: String, source: String) -> (records: [DecisionRecord], skipped: [String]) {
        let decoder = JSONDecoder()
        var records: [DecisionRecord] = []
        var skipped: [String] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                records.append(try decoder.decode(DecisionRecord.self, from: Data(line.utf8)))
            } catch {
                skipped.append("\(source):\(i + 1): not a decision record, skipped (\(line.count) bytes: \(line.prefix(40))…)")
            }
        }
        return (records, skipped)
    }
}

/// The text form of a decision record.
enum DecisionExplanation {
    static func render(_ r: DecisionRecord) -> String {
        var out: [String] = []
        let when = r.time >= 1e9 ? isoTime(r.time) : "\(number(r.time))s"
        out.append("\(r.target) at \(when): \(r.valid ? "desired \(r.desired)" : "no decision (no data); the previous one stands")"
                   + " — \(r.readyPods) ready, \(r.currentReplicas) requested\(r.inPanic ? ", PANIC" : "")")
        for input in r.inputs {
            let won = input.signal == r.winner ? "  ← wins" : ""
            if let s = input.stable, let p = input.panic {
                out.append("  \(input.signal.rawValue)\(input.panicOnly ? " (panic only)" : ""): stable \(number(s)), panic \(number(p)), target \(number(input.target))/pod → \(number(input.stablePods ?? 0)) stable, \(number(input.panicPods ?? 0)) panic pods\(won)")
            } else {
                out.append("  \(input.signal.rawValue): missing (no data for a window)")
            }
        }
        if let o = r.objective { out += objectiveLines(o) }
        if let gpu = r.gpuMemory {
            let summary = gpu.max.map { "max \(percent($0)), mean \(percent(gpu.mean ?? $0))" } ?? "no reading"
            out.append("  gpu memory: \(summary) over \(gpu.pods.count) pods\(gpu.missing.isEmpty ? "" : ", \(gpu.missing.count) without a reading")")
            for pod in gpu.pods {
                out.append("    \(pod.name): max \(percent(pod.max)), mean \(percent(pod.mean)) of \(pod.devices) GPU\(pod.devices == 1 ? "" : "s")")
            }
            for name in gpu.missing { out.append("    \(name): missing") }
        }
        for c in r.clamps {
            out.append("  \(c.step): \(c.from) → \(c.to) (\(c.detail))")
        }
        if r.valid { out.append("  excess burst capacity \(r.excessBurstCapacity)") }
        return out.joined(separator: "\n")
    }

    /// The objective policy's part: capacity, demand, forecast and the counts they give.
    static func objectiveLines(_ o: ObjectiveEstimate) -> [String] {
        let capacity = o.capacityTokensPerSecond.map { "\(number($0.rounded())) prompt tokens/s per replica (\(o.capacitySource))" } ?? "not known yet"
        var needs = ["prefill \(o.prefillReplicas)"]
        if let k = o.kvReplicas { needs.append("KV cache \(k)") }
        if let t = o.tpotReplicas { needs.append("tpot \(t)") }
        return [
            "  objective: capacity \(capacity)" + (o.kvCacheTokensPerReplica.map { ", KV \(number($0.rounded())) tokens" } ?? ""),
            "    demand \(number(o.demandTokensPerSecond.rounded())) tokens/s, \(number(o.queuedTokens.rounded())) waiting; forecast \(number(o.forecastTokensPerSecond.rounded())) tokens/s\(o.queueingAllowanceSeconds.map { String(format: " (prompts may wait %.2fs)", $0) } ?? "") one cold start (\(number(o.coldStartSeconds.rounded()))s, \(o.coldStartMeasured ? "measured" : "assumed")) ahead",
            "    needs \(needs.joined(separator: ", ")) → \(o.needed) now, \(o.count) held over the cold start",
        ]
    }

    private static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    private static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.3f", v)
    }

    private static func isoTime(_ seconds: Double) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: seconds))
    }
}
