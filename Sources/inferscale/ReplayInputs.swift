import Rules
import Simulation

/// What `simulate` and `tune` read before a replay, checked the same way for both: the trace
/// window, the model profile with the engine's settings, the rule files.
enum ReplayInputs {
    /// The trace (the bundled slice without `path`), windowed and time-scaled, with its name.
    static func trace(path: String?, format: String?, from: Double?, to: Double?, speed: Double) throws -> (name: String, trace: Trace) {
        var name = BundledTrace.name
        let loaded: Trace
        do {
            var traceFormat: TraceFormat?
            if let format {
                guard let f = TraceFormat(rawValue: format) else {
                    throw InputError(message: "unknown --format \(format); use azure-llm, mooncake, alibaba-lora or csv")
                }
                traceFormat = f
            }
            if let path {
                loaded = try TraceReader.read(path: path, format: traceFormat)
                name = path
            } else {
                loaded = try BundledTrace.read()
            }
        } catch let error as TraceError {
            throw InputError(message: error.description)
        }
        let windowed = loaded.window(from: from, to: to, speed: speed)
        guard !windowed.requests.isEmpty else { throw InputError(message: "no requests in the chosen window of \(name)") }
        return (name, windowed)
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
