import Foundation
import Testing

/// `inferscale simulate` as a user runs it: the built binary, the repository's rules.
@Suite struct SimulateCommandTests {
    static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("rules").path

    @Test func comparesThePoliciesAndWritesChartsAndJSON() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-\(UUID().uuidString)").path
        let r = try await CLIRunner.runDetached(["simulate", "--rules", Self.rules, "--to", "300", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.contains("Azure LLM 2023 code trace") == true)
        // kpa, hpa and the four LLM rules (vllm, tgi); the predictive and batch rules do not fit.
        let policies = lines.dropFirst(3).map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(policies == ["kpa", "hpa", "mistral-tgi", "llama-chat", "llama-code", "objective"])
        for file in ["report.json", "comparison.svg", "kpa.svg", "kpa.csv", "llama-chat.svg"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/report.json"))) as? [String: Any]
        let results = json?["results"] as? [[String: Any]]
        #expect(results?.count == 6)
        #expect(results?.first?["replicaSecondsVsKPA"] as? Double == 1)
        let svg = try String(contentsOfFile: "\(out)/comparison.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("llama-chat") && svg.contains("<polyline"))
        // The loop's decision records, one a decision (every 2 s of the 300 s): the objective
        // policy's show what it learned and the count it asked for.
        let records = try String(contentsOfFile: "\(out)/objective-decisions.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(records.count == 150)
        let last = try JSONSerialization.jsonObject(with: Data((records.last ?? "").utf8)) as? [String: Any]
        let objective = last?["objective"] as? [String: Any]
        #expect(objective?["count"] as? Int == last?["desired"] as? Int, "\(last ?? [:])")
        #expect(objective?["forecastTokensPerSecond"] is Double)
        #expect(!FileManager.default.fileExists(atPath: "\(out)/hpa-decisions.jsonl"), "the HPA is decided outside the loop")
    }

    @Test func sameRunSameJSON() async throws {
        let args = ["simulate", "--rules", Self.rules, "--policy", "kpa", "--policy", "llama-chat", "--to", "200", "--json"]
        let a = try await CLIRunner.runDetached(args)
        let b = try await CLIRunner.runDetached(args)
        #expect(a.status == 0 && a.stdout == b.stdout)
        #expect(a.stdout.contains("\"policy\" : \"llama-chat\""))
    }

    /// The default trace is a data file in the resource bundle beside the binary: an installed
    /// copy (binary and bundle in one folder, reached through a symbolic link, as in the image)
    /// replays it, and without the bundle it says what is missing.
    @Test func theBundledTraceTravelsBesideTheBinary() async throws {
        let built = try CLIRunner.binary
        let bundle = built.deletingLastPathComponent().appendingPathComponent("inferscale_Simulation.resources")
        #expect(FileManager.default.fileExists(atPath: bundle.appendingPathComponent("Resources/azure-llm-2023-code-20min.csv").path))
        // Beside the build products, so the binary can be hard-linked rather than copied.
        let root = built.deletingLastPathComponent().appendingPathComponent("install-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let opt = root.appendingPathComponent("opt"), bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: opt, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.linkItem(at: built, to: opt.appendingPathComponent("inferscale"))
        try FileManager.default.copyItem(at: bundle, to: opt.appendingPathComponent("inferscale_Simulation.resources"))
        let link = bin.appendingPathComponent("inferscale")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: opt.appendingPathComponent("inferscale"))

        let installed = try await CLIRunner.runDetached(["simulate", "--policy", "kpa", "--to", "60"], executable: link)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stdout.hasPrefix("Azure LLM 2023 code trace, 20-minute slice"))

        try FileManager.default.removeItem(at: opt.appendingPathComponent("inferscale_Simulation.resources"))
        let missing = try await CLIRunner.runDetached(["simulate", "--policy", "kpa", "--to", "60"], executable: link)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("the bundled trace is missing") && missing.stderr.contains("--trace FILE"), "\(missing.stderr)")
    }

    @Test func engineSettingsOverrideTheProfileAndTheReportHasTheV1Figures() async throws {
        let args = ["simulate", "--model", "llama-70b-4xh100", "--max-num-batched-tokens", "2048", "--max-num-seqs", "128",
                    "--gpu-blocks", "20000", "--policy", "fixed-2", "--to", "120", "--json"]
        let r = try await CLIRunner.runDetached(args)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let result = try #require((json?["results"] as? [[String: Any]])?.first)
        let ttftMean = try #require(result["ttftMean"] as? Double)
        let e2eMean = try #require(result["e2eMean"] as? Double)
        let tokens = try #require(result["outputTokensPerSecond"] as? Double)
        #expect(ttftMean > 0 && e2eMean > ttftMean && tokens > 0)
        #expect(result["preemptions"] as? Int != nil)
        // A budget below the sequence cap is refused, as vLLM refuses it.
        let refused = try await CLIRunner.runDetached(["simulate", "--model", "llama-70b-4xh100", "--max-num-batched-tokens", "100",
                                                       "--max-num-seqs", "256"])
        #expect(refused.status == 2 && refused.stderr.contains("max-num-batched-tokens (100) must be ≥ max-num-seqs (256)"))
        let predictive = try await CLIRunner.runDetached(["simulate", "--model", "predictive-cpu", "--max-num-seqs", "8"])
        #expect(predictive.status == 2 && predictive.stderr.contains("predictive-cpu is not an LLM profile"))
        let zero = try await CLIRunner.runDetached(["simulate", "--gpu-blocks", "0"])
        #expect(zero.status == 2 && zero.stderr.contains("--gpu-blocks must be > 0"))
    }

    @Test func badInputIsAClearError() async throws {
        let unknown = try await CLIRunner.runDetached(["simulate", "--policy", "nope"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown --policy nope; known: kpa, hpa, fixed-N"))
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv")
        try "time_s,prompt_tokens,output_tokens\n0,10,1\n1,ten,1\n".write(to: trace, atomically: true, encoding: .utf8)
        let bad = try await CLIRunner.runDetached(["simulate", "--trace", trace.path])
        #expect(bad.status == 2 && bad.stderr.contains("\(trace.path):3: prompt_tokens must be a whole number"))
        let noTokens = try await CLIRunner.runDetached(["simulate", "--trace", trace.path, "--model", "llama-8b-1xh100", "--speed", "0"])
        #expect(noTokens.status == 2 && noTokens.stderr.contains("--speed must be > 0"))
        let window = try await CLIRunner.runDetached(["simulate", "--from", "5000"])
        #expect(window.status == 2 && window.stderr.contains("no requests in the chosen window"))
    }
}

/// `--policy objective` and `--policy oracle`: the objective policy sized for the run's objective and
/// quantile, the clairvoyant reference, and the ratio to it in the table and the JSON.
@Suite struct SimulateObjectiveTests {
    @Test func objectiveAndOracleWithTheRatio() async throws {
        let args = ["simulate", "--rules", SimulateCommandTests.rules, "--policy", "kpa", "--policy", "objective", "--policy", "oracle",
                    "--ttft-objective", "3", "--objective-quantile", "0.9", "--to", "300"]
        let table = try await CLIRunner.runDetached(args)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("vs oracle"))
        #expect(table.stdout.contains("not a lower bound"))
        let a = try await CLIRunner.runDetached(args + ["--json"])
        let b = try await CLIRunner.runDetached(args + ["--json"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any]
        #expect(json?["ttftObjectiveSeconds"] as? Double == 3)
        let results = try #require(json?["results"] as? [[String: Any]])
        #expect(results.map { $0["policy"] as? String } == ["kpa", "objective", "oracle"])
        #expect(results[2]["replicaSecondsVsOracle"] as? Double == 1)
        for r in results {
            // The existing fields stay beside the new one.
            for key in ["replicaSeconds", "overObjectiveShare", "ttftP95", "replicaSecondsVsKPA", "replicaSecondsVsOracle"] {
                #expect(r[key] != nil, "\(key)")
            }
        }
    }

    /// `--policy bound`: a row with the bound's replica-seconds and no latency, a `vs bound`
    /// column, `replicaSecondsVsBound` on every result and the bound's own object in the JSON.
    @Test func boundWithTheRatio() async throws {
        let args = ["simulate", "--policy", "fixed-1", "--policy", "oracle", "--policy", "bound", "--model", "llama-8b-1xh100",
                    "--objective-quantile", "0.9", "--to", "300"]
        let table = try await CLIRunner.runDetached(args)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("vs bound"))
        let boundRow = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("bound ") })
        #expect(boundRow.contains("1.00×") && boundRow.hasSuffix("-"))
        #expect(table.stdout.contains("with at most 10.0% of requests over the objective"))
        let run = try await CLIRunner.runDetached(args + ["--json"])
        #expect(run.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.map { $0["policy"] as? String } == ["fixed-1", "oracle"])
        let bound = try #require(json["bound"] as? [String: Any])
        let boundSeconds = try #require(bound["replicaSeconds"] as? Double)
        #expect(bound["objectiveQuantile"] as? Double == 0.9 && bound["minReplicas"] as? Int == 1)
        for r in results {
            let seconds = try #require(r["replicaSeconds"] as? Double)
            #expect(abs(try #require(r["replicaSecondsVsBound"] as? Double) - seconds / boundSeconds) < 1e-9)
            #expect(r["replicaSecondsVsOracle"] != nil)
        }
        // The floor: one replica over the 300 s span at least.
        #expect(boundSeconds >= 300)
    }

    @Test func quantileOutOfRangeIsRefused() async throws {
        let r = try await CLIRunner.runDetached(["simulate", "--policy", "objective", "--objective-quantile", "1.5", "--to", "60"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--objective-quantile must be between 0.5 and 0.999"))
    }
}
