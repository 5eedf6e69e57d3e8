import ArgumentParser
import Simulation

/// The flags `simulate` and `tune` share: which part of which trace is replayed, on which model profile and engine
/// settings, against which objective. Declared once so that both commands accept, document and check them alike;
/// `ReplayInputs` turns them into a trace and a profile. ArgumentParser prints each default after its help, so the
/// texts do not repeat them.
struct ReplayOptions: ParsableArguments {
    /// The range `--objective-quantile` accepts: below p50 is no objective, and p99.9 is the finest a 20-minute
    /// replay of a few thousand requests can still tell apart.
    static let objectiveQuantiles: ClosedRange<Double> = 0.5...0.999

    @Option(name: .long, help: ArgumentHelp("Trace file (default: the bundled Azure code slice).", valueName: "file"))
    var trace: String?

    @Option(name: .long, help: ArgumentHelp("Trace format: azure-llm, mooncake, alibaba-lora, csv or servegen (a folder of ServeGen chunk-*-trace.csv client models, or one file; arrivals are drawn from them) (default: detected; a folder is servegen).", valueName: "format"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("servegen: the trace whose prompt and output lengths the drawn requests take, as pairs drawn at random (default: the bundled Azure code slice).", valueName: "file"))
    var lengthsFrom: String?

    @Option(name: .long, help: ArgumentHelp("servegen: scale every client's rate by one factor so that the span's mean is this many requests/s (default: 5, unless --rate-scale).", valueName: "requests/s"))
    var meanRate: Double?

    @Option(name: .long, help: ArgumentHelp("servegen: multiply every client's rate by x instead (1: the file's rates).", valueName: "x"))
    var rateScale: Double?

    @Option(name: .long, help: ArgumentHelp("Start of the window, seconds from the trace's first request (servegen: on its time axis, default its first window).", valueName: "seconds"))
    var from: Double?

    @Option(name: .long, help: ArgumentHelp("End of the window, seconds from the trace's first request (servegen: default 3 h after --from).", valueName: "seconds"))
    var to: Double?

    @Option(name: .long, help: ArgumentHelp("Time compression: 2 replays the trace twice as fast.", valueName: "x"))
    var speed: Double = 1

    @Option(name: .long, help: ArgumentHelp("Model profile: \(ModelProfile.all.map(\.name).joined(separator: ", ")) (default: the first for token traces, predictive-cpu otherwise).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Tokens one engine step may compute, vLLM's --max-num-batched-tokens (default: the profile's).", valueName: "n"))
    var maxNumBatchedTokens: Int?

    @Option(name: .long, help: ArgumentHelp("Most requests a replica runs at once, vLLM's --max-num-seqs (default: the profile's).", valueName: "n"))
    var maxNumSeqs: Int?

    @Option(name: .long, help: ArgumentHelp("KV-cache blocks of 16 tokens per replica, as vLLM logs num_gpu_blocks (default: the profile's).", valueName: "n"))
    var gpuBlocks: Int?

    @Flag(name: .customLong("no-enable-prefix-caching"), help: "Replicas compute every prompt in full, as vLLM with --no-enable-prefix-caching (default: prompts that share segments, such as Mooncake's hash_ids, hit the prefix cache).")
    var noEnablePrefixCaching = false

    @Option(name: .long, help: ArgumentHelp("Mean cold start of a replica (default: the profile's).", valueName: "seconds"))
    var coldStart: Double?

    @Option(name: .long, help: ArgumentHelp("Time-to-first-token objective (default: the profile's).", valueName: "seconds"))
    var ttftObjective: Double?

    @Option(name: .long, help: ArgumentHelp("Share of requests that must get their first token within --ttft-objective, 0.5 to 0.999 (0.95: p95). simulate sizes --policy objective for it; tune also judges every variant by it.", valueName: "q"))
    var objectiveQuantile: Double = 0.95

    @Option(name: .long, help: ArgumentHelp("Seconds a request may wait before it fails (the default is Knative's revision timeout).", valueName: "seconds"))
    var timeout: Double = 300

    @Option(name: .long, help: ArgumentHelp("Per-pod concurrency target of kpa and hpa; tune's kpa and hpa grids multiply it (default: the profile's).", valueName: "n"))
    var baselineTarget: Double?

    @Option(name: .long, help: ArgumentHelp("Spread the trace over this many targets.", valueName: "n"))
    var targets: Int = 1

    @Option(name: .long, help: ArgumentHelp("Seed of the random draws.", valueName: "n"))
    var seed: UInt64 = 1

    func validate() throws {
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be > 0") }
        guard timeout > 0 else { throw ValidationError("--timeout must be > 0") }
        guard (1...1000).contains(targets) else { throw ValidationError("--targets must be 1-1000") }
        if let c = coldStart, !(c >= 0) { throw ValidationError("--cold-start must be ≥ 0") }
        if let t = ttftObjective, !(t > 0) { throw ValidationError("--ttft-objective must be > 0") }
        guard Self.objectiveQuantiles.contains(objectiveQuantile) else {
            throw ValidationError("--objective-quantile must be between \(Self.objectiveQuantiles.lowerBound) and \(Self.objectiveQuantiles.upperBound)")
        }
        if let t = baselineTarget, !(t > 0) { throw ValidationError("--baseline-target must be > 0") }
        if let f = from, let t = to, t <= f { throw ValidationError("--to must be after --from") }
        if let n = maxNumBatchedTokens, n <= 0 { throw ValidationError("--max-num-batched-tokens must be > 0") }
        if let n = maxNumSeqs, n <= 0 { throw ValidationError("--max-num-seqs must be > 0") }
        if let n = gpuBlocks, n <= 0 { throw ValidationError("--gpu-blocks must be > 0") }
        if let r = meanRate, !(r > 0 && r.isFinite) { throw ValidationError("--mean-rate must be > 0 requests/s") }
        if let r = rateScale, !(r > 0 && r.isFinite) { throw ValidationError("--rate-scale must be > 0") }
        if meanRate != nil, rateScale != nil { throw ValidationError("give --mean-rate or --rate-scale, not both") }
    }

    /// The trace window these flags name, with its name.
    func loadTrace() throws -> (name: String, trace: Trace) {
        try ReplayInputs.trace(path: trace, format: format, from: from, to: to, speed: speed,
                               servegen: .init(lengthsFrom: lengthsFrom, meanRate: meanRate, rateScale: rateScale, seed: seed))
    }

    /// The model profile for `trace`, with the engine settings these flags override.
    func profile(for trace: Trace) throws -> ModelProfile {
        try ReplayInputs.profile(model: model, for: trace, maxNumBatchedTokens: maxNumBatchedTokens, maxNumSeqs: maxNumSeqs,
                                 gpuBlocks: gpuBlocks, enablePrefixCaching: noEnablePrefixCaching ? false : nil)
    }

    /// A replay of `trace` on `profile` with these flags' cluster settings; the policies are the caller's.
    func configuration(trace: Trace, profile: ModelProfile, policies: [PolicyChoice]) -> SimulationConfiguration {
        var configuration = SimulationConfiguration(trace: trace, profile: profile, policies: policies)
        configuration.coldStartSeconds = coldStart
        configuration.ttftObjectiveSeconds = ttftObjective
        configuration.requestTimeoutSeconds = timeout
        configuration.baselineConcurrencyTarget = baselineTarget
        configuration.targets = targets
        configuration.seed = seed
        configuration.objectiveQuantile = objectiveQuantile
        return configuration
    }
}
