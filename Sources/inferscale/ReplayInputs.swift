import Rules
import Simulation

/// What `simulate` and `tune` read before a replay, checked the same way for both: the trace
/// window, the model profile with the engine's settings, the rule files.
enum ReplayInputs {
    /// The trace (the bundled slice without `path`), windowed and time-scaled, with its name.
    static func trace(path: String?, format: String?, from: Double?, to: Double?, speed: Double,
                      servegen: ServeGenFlags = ServeGenFlags()) throws -> (name: String, trace: Trace) {
        var name = BundledTrace.name
        let loaded: Trace
        var window: (from: Double?, to: Double?) = (from, to)
        do {
            var traceFormat: TraceFormat?
            if let format {
                guard let f = TraceFormat(rawValue: format) else {
                    throw InputError(message: "unknown --format \(format); use azure-llm, mooncake, alibaba-lora, csv or servegen")
                }
                traceFormat = f
            }
            if let path, try (traceFormat ?? TraceReader.detect(path: path)) == .servegen {
                (name, loaded) = try serveGen(path: path, from: from, to: to, flags: servegen)
                window = (nil, nil)  // drawn for the span already, times from its start
            } else {
                if let flag = servegen.given {
                    throw InputError(message: "\(flag) applies to ServeGen models only (--format servegen, a folder of chunk-*-trace.csv files)")
                }
                if let path {
                    loaded = try TraceReader.read(path: path, format: traceFormat)
                    name = path
                } else {
                    loaded = try BundledTrace.read()
                }
            }
        } catch let error as TraceError {
            throw InputError(message: error.description)
        }
        let windowed = loaded.window(from: window.from, to: window.to, speed: speed)
        guard !windowed.requests.isEmpty else { throw InputError(message: "no requests in the chosen window of \(name)") }
        return (name, windowed)
    }

    /// The ServeGen-only flags: how arrivals are drawn from the clients' rate models.
    struct ServeGenFlags {
        /// The trace whose lengths the drawn requests take (nil: the bundled slice).
        var lengthsFrom: String?
        /// Target mean rate over the span, requests/s.
        var meanRate: Double?
        /// Factor on every client's rate.
        var rateScale: Double?
        /// Seed of the draws (the replay's `--seed`).
        var seed: UInt64 = 1

        /// The first of these flags that was given, for the error when the trace is not ServeGen's.
        var given: String? {
            if lengthsFrom != nil { return "--lengths-from" }
            if meanRate != nil { return "--mean-rate" }
            if rateScale != nil { return "--rate-scale" }
            return nil
        }
    }

    /// Arrivals drawn from the ServeGen model at `path` over [from, to) of its time axis (default:
    /// its first window for 3 h).
    private static func serveGen(path: String, from: Double?, to: Double?, flags: ServeGenFlags) throws -> (String, Trace) {
        let clients = try ServeGenReader.clients(at: path)
        let first = clients.compactMap { $0.windows.first?.start }.min() ?? 0
        var configuration = ServeGenConfiguration(seed: flags.seed)
        let start = from ?? first
        configuration.startSeconds = start
        if let to { configuration.durationSeconds = to - start }
        guard configuration.durationSeconds > 0 else { throw InputError(message: "--to must be after --from (\(Int(start)) s)") }
        if let r = flags.rateScale { configuration.rateScale = .factor(r) }
        if let r = flags.meanRate { configuration.rateScale = .meanRate(r) }
        let lengths: TokenLengthSample
        if let file = flags.lengthsFrom {
            lengths = try TokenLengthSample(trace: TraceReader.read(path: file), name: file)
        } else {
            lengths = try TokenLengthSample(trace: BundledTrace.read(), name: "the bundled Azure code slice")
        }
        let (trace, span) = try ServeGenArrivals.generate(clients: clients, configuration: configuration, lengths: lengths, source: path)
        return ("\(path) (ServeGen: \(span.description); lengths from \(lengths.name))", trace)
    }

    /// The profile named `model` (default: the 70 B profile for token traces, the predictive
    /// one otherwise) with the engine's settings replaced where given.
    static func profile(model: String?, for trace: Trace, maxNumBatchedTokens: Int?, maxNumSeqs: Int?, gpuBlocks: Int?,
                        enablePrefixCaching: Bool? = nil) throws -> ModelProfile {
        var profile: ModelProfile
        if let model {
            guard let p = ModelProfile.named(model) else {
                throw InputError(message: "unknown --model \(model); profiles: \(ModelProfile.all.map(\.name).joined(separator: ", "))")
            }
            profile = p
        } else {
            profile = trace.hasTokens ? .llama70B : .predictive
        }
        do {
            profile = try profile.overriding(maxNumBatchedTokens: maxNumBatchedTokens, maxNumSeqs: maxNumSeqs, gpuBlocks: gpuBlocks,
                                             enablePrefixCaching: enablePrefixCaching)
        } catch {
            throw InputError(message: error.description)
        }
        if case .llm = profile.kind, !trace.hasTokens {
            throw InputError(message: "model \(profile.name) needs token counts, and this trace has none; use --model predictive-cpu")
        }
        return profile
    }

    /// The rules of `paths` (none: the empty set).
    static func rules(_ paths: [String]) throws -> RuleSet {
        guard !paths.isEmpty else { return .empty }
        do { return try RuleFiles.load(paths: paths) } catch {
            throw InputError(message: "\(error.description)\nthe rules were not loaded")
        }
    }
}
