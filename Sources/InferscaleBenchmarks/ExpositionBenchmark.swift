import Exposition
import Foundation
import PodTestKit

/// Parses a large vLLM-shaped body (100 pods' worth of series) and prints throughput, time per sample
/// line, and the ratio to a plain newline count over the same bytes measured in the same run.
/// `rounds` can be given as `--exposition-rounds N` (for example to count allocations under valgrind).
func runExpositionBenchmark(pods: Int = 100, rounds defaultRounds: Int = 60) {
    var rounds = defaultRounds
    if let flag = CommandLine.arguments.firstIndex(of: "--exposition-rounds"), flag + 1 < CommandLine.arguments.count,
       let value = Int(CommandLine.arguments[flag + 1]), value > 0 {
        rounds = value
    }
    guard let fixture = try? Fixtures.metricsURL("vllm"), let data = try? Data(contentsOf: fixture),
          let text = String(data: data, encoding: .utf8) else {
        print("exposition: cannot read PodTestKit's vllm.txt fixture; skipped")
        return
    }
    let textBody = makeBody(from: text, pods: pods)
    let body = Array(textBody.utf8)
    let openMetricsBody = Array(makeOpenMetrics(from: textBody).utf8)
    let sampleLines = body.split(separator: UInt8(ascii: "\n")).filter { $0.first != UInt8(ascii: "#") }.count

    struct Summer: ExpositionVisitor {
        var total = 0.0
        var count = 0
        mutating func beginFamily(name: String, type: MetricType, help: String?, unit: String?) {}
        mutating func sample(_ sample: Sample) { total += sample.value; count += 1 }
    }
    var parser = ExpositionParser(format: .prometheusText)
    var strictParser = ExpositionParser(format: .openMetrics)
    var failure: ExpositionError?
    // The three measurements are interleaved round by round, and each keeps its best round, so load from
    // other processes on a shared machine affects them alike.
    let timings = measureInterleaved(rounds: rounds, [
        // Baseline: the least any parser must do, touching every byte once.
        {
            var newlines = 0
            for byte in body where byte == 0x0A { newlines += 1 }
            return newlines
        },
        {
            do throws(ExpositionError) { return try parser.parse(body).sampleCount } catch { failure = error; return 0 }
        },
        {
            var summer = Summer()
            let outcome: Result<Void, ExpositionError> = body.withUnsafeBytes { buffer in
                do throws(ExpositionError) { try parser.parse(buffer, into: &summer); return .success(()) } catch { return .failure(error) }
            }
            if case .failure(let error) = outcome { failure = error }
            return summer.count
        },
        {
            do throws(ExpositionError) { return try strictParser.parse(openMetricsBody).sampleCount } catch { failure = error; return 0 }
        },
    ])
    let (baseline, full, visited, strict) = (timings[0], timings[1], timings[2], timings[3])
    if let failure {
        print("exposition: the generated body did not parse: \(failure)")
        return
    }

    let megabytes = Double(body.count) / 1_000_000
    func report(_ label: String, _ seconds: Double, bytes: Int? = nil, lines: Int? = nil) {
        let size = bytes.map { Double($0) / 1_000_000 } ?? megabytes
        let mbPerSecond = size / seconds
        let nsPerLine = seconds * 1e9 / Double(lines ?? sampleLines)
        // The baseline scales with the bytes scanned.
        let ratio = seconds / (baseline * size / megabytes)
        print("  \(label): \(format(mbPerSecond, 0)) MB/s, \(format(nsPerLine, 1)) ns per sample line, \(format(ratio, 1))x the newline scan")
    }
    print("exposition: \(pods) vLLM-shaped pods, \(format(megabytes, 2)) MB, \(sampleLines) sample lines, best of \(rounds)")
    print("  newline scan (baseline): \(format(megabytes / baseline, 0)) MB/s")
    report("parse to families (Prometheus text)", full)
    report("parse with a visitor (no result built)", visited)
    let strictLines = openMetricsBody.split(separator: UInt8(ascii: "\n")).filter { $0.first != UInt8(ascii: "#") }.count
    report("parse to families (OpenMetrics, all checks; \(strictLines) lines)", strict, bytes: openMetricsBody.count, lines: strictLines)
}

/// The fixture's families with each series repeated once per pod, told apart by a `pod` label and
/// slightly different values, as a federated or aggregated scrape would look.
private func makeBody(from fixture: String, pods: Int) -> String {
    var output = ""
    var block: [Substring] = []
    func flush() {
        for pod in 0..<pods {
            for line in block {
                guard let brace = line.firstIndex(of: "{"), let space = line.lastIndex(of: " ") else { continue }
                let value = Double(line[line.index(after: space)...]) ?? 0
                output += line[..<line.index(after: brace)]
                output += "pod=\"llama-predictor-7f9c6d5b8-\(pod)\","
                output += line[line.index(after: brace)...space]
                output += String(value + Double(pod))
                output += "\n"
            }
        }
        block.removeAll()
    }
    for line in fixture.split(separator: "\n", omittingEmptySubsequences: true) {
        if line.hasPrefix("#") {
            flush()
            output += line
            output += "\n"
        } else {
            block.append(line)
        }
    }
    flush()
    return output
}

/// The same body as OpenMetrics: counter families lose the `_total` in their metadata, the separate
/// `_created` gauge families of Python exporters are dropped (OpenMetrics would file them under the
/// counter), and `# EOF` ends it.
private func makeOpenMetrics(from text: String) -> String {
    var counters: Set<Substring> = []
    for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") && line.hasSuffix(" counter") {
        counters.insert(line.split(separator: " ")[2])
    }
    var output = ""
    for line in text.split(separator: "\n") {
        let fields = line.split(separator: " ", maxSplits: 3)
        let metadata = line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ")
        let name: Substring = metadata ? fields[2] : line.prefix { $0 != "{" && $0 != " " }
        if name.hasSuffix("_created") { continue }
        if metadata, counters.contains(name), name.hasSuffix("_total") {
            output += "\(fields[0]) \(fields[1]) \(name.dropLast(6)) \(fields.count > 3 ? fields[3] : "")\n"
        } else {
            output += line
            output += "\n"
        }
    }
    return output + "# EOF\n"
}

/// The best wall time of each workload over `rounds` rounds, in seconds. Results are consumed so the
/// work is not optimised away.
private func measureInterleaved(rounds: Int, _ workloads: [() -> Int]) -> [Double] {
    var best = Array(repeating: Double.infinity, count: workloads.count)
    var sink = 0
    let clock = ContinuousClock()
    for _ in 0..<rounds {
        for (index, workload) in workloads.enumerated() {
            let start = clock.now
            sink &+= workload()
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best[index] = min(best[index], seconds)
        }
    }
    if sink == Int.min { print(sink) }
    return best
}

private func format(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}
