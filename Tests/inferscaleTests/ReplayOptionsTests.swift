import Testing

/// `simulate` and `tune` take the replay flags from one `ReplayOptions` group: the same flags, the same help, the
/// same checks, in both commands.
@Suite struct ReplayOptionsTests {
    static let commands = ["simulate", "tune"]

    /// The help of the shared group: from `--trace` to the end of `--seed`'s line (the group comes first in both).
    static func sharedHelp(_ help: String) -> Substring? {
        guard let start = help.range(of: "--trace <file>"), let end = help.range(of: "Seed of the random draws. (default: 1)", range: start.upperBound..<help.endIndex)
        else { return nil }
        return help[start.lowerBound..<end.upperBound]
    }

    @Test func bothCommandsDocumentTheReplayFlagsAlike() async throws {
        var helps: [String: Substring] = [:]
        for command in Self.commands {
            let r = try await CLIRunner.runDetached([command, "--help"])
            #expect(r.status == 0, "\(r.stderr)")
            helps[command] = Self.sharedHelp(r.stdout)
            #expect(helps[command] != nil, "\(command) --help lacks the replay flags:\n\(r.stdout)")
        }
        let simulate = try #require(helps["simulate"]), tune = try #require(helps["tune"])
        #expect(simulate == tune)
        for flag in ["--format", "--from", "--to", "--speed", "--model", "--max-num-batched-tokens", "--max-num-seqs", "--gpu-blocks",
                     "--no-enable-prefix-caching", "--cold-start", "--ttft-objective", "--objective-quantile", "--timeout",
                     "--baseline-target", "--targets", "--seed"] {
            #expect(simulate.contains(flag + " ") || simulate.contains(flag + "\n"), "\(flag) is not in the shared help")
        }
        #expect(simulate.contains("0.5 to 0.999"))
    }

    @Test(arguments: ["0.49", "0.9995"])  // just past each end of the range
    func aQuantileOutsideTheRangeIsRefusedByBoth(quantile: String) async throws {
        for command in Self.commands {
            let r = try await CLIRunner.runDetached([command, "--objective-quantile", quantile, "--to", "60"])
            #expect(r.status == 2, "\(command): \(r.status)")
            #expect(r.stderr.contains("--objective-quantile must be between 0.5 and 0.999"), "\(command): \(r.stderr)")
        }
    }

    /// A check `tune` lacked before the flags were shared (one of the engine settings; the others share its code).
    @Test func engineSettingsAreCheckedByBoth() async throws {
        for command in Self.commands {
            let r = try await CLIRunner.runDetached([command, "--gpu-blocks=0", "--to", "60"])
            #expect(r.status == 2, "\(command) accepted --gpu-blocks 0 (\(r.status))")
            #expect(r.stderr.contains("--gpu-blocks must be > 0"), "\(command): \(r.stderr)")
        }
    }
}
