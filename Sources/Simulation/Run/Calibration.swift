import Foundation

/// The replica model against published measurements of real vLLM servers: the same load
/// replayed on fixed replicas, and the simulated means beside the measured ones.
///
/// The load is replayed as its generator drew it. inference-perf's `constant` load type
/// (kubernetes-sigs/inference-perf, inference_perf/loadgen/load_timer.py, `ConstantLoadTimer`,
/// unchanged from August 2025 to the measurements in February 2026) does not space requests
/// evenly: it draws `rate × duration` exponential gaps of mean `1 / rate` and scales them to
/// fill the stage, a Poisson stream with the stage's exact count. Each stage starts on an idle
/// server (its load generator waits for every request of the previous stage to finish).
///
/// The prompts are replayed as its `shared_prefix` data generator made them (inference-perf,
/// inference_perf/datagen/shared_prefix_datagen.py as of February 2026): `groups` system
/// prompts, each followed by `promptsPerGroup` questions, the text being the system prompt, a
/// space and the question; the prompts are shuffled once and request i sends prompt i mod
/// their count. Each is a `PromptSegment` for its group's system prompt and one for its
/// question, so the replica's prefix cache sees what the server's saw.
public enum Calibration {
    /// One measured load point.
    public struct Point: Sendable {
        /// What was measured, for reports.
        public var name: String
        /// The profile whose replica the measurement stands for, with the server's settings.
        public var profile: ModelProfile
        /// Requests per second, on average: the arrivals are random (`Calibration.arrivals`).
        public var rate: Double
        /// Seconds the rate was held.
        public var seconds: Double
        /// Tokens of each prompt as the server counted them, and of each output.
        public var promptTokens: Int
        public var outputTokens: Int
        /// The prompt set: system prompts, questions per system prompt, and the tokens of a
        /// system prompt as the server counted them (the beginning-of-text token included).
        public var groups: Int
        public var promptsPerGroup: Int
        public var systemPromptTokens: Int
        /// Measured: time to first token (mean and median) and end to end (mean), seconds;
        /// output tokens per second.
        public var ttftMean: Double
        public var ttftMedian: Double
        public var e2eMean: Double
        public var outputTokensPerSecond: Double
    }

    /// What the model gave for a point: means over the replays of `Calibration.seeds`.
    public struct Outcome: Sendable {
        public var point: Point
        /// Seconds; also the lowest and highest of the replays' TTFT means, for the spread
        /// that one measured run could fall anywhere in.
        public var ttftMean: Double
        public var ttftMeanLowest: Double
        public var ttftMeanHighest: Double
        public var ttftMedian: Double
        public var e2eMean: Double
        public var outputTokensPerSecond: Double

        /// Simulated over measured.
        public var ttftRatio: Double { ttftMean / point.ttftMean }
        public var ttftMedianRatio: Double { ttftMedian / point.ttftMedian }
        public var e2eRatio: Double { e2eMean / point.e2eMean }
        public var throughputRatio: Double { outputTokensPerSecond / point.outputTokensPerSecond }
    }

    /// Tolerances the profiles are held to: ±25 % on TTFT means, ±15 % on end-to-end means and
    /// output throughput (the medians are reported, not held).
    public static let ttftTolerance = 0.25
    public static let e2eTolerance = 0.15
    public static let throughputTolerance = 0.15

    /// Llama-2-70B on 4 H100 (TP4), vLLM with `max_num_batched_tokens` 2,048 and `max_num_seqs`
    /// 128, one replica, inference-perf's `constant` load for 600 s at each of two rates
    /// (inference-sim/training @ed5c1d26, default_args/20260217-202857-llama-2-70b-tp4-general:
    /// results/config.yaml for the load, the per-stage lifecycle metrics for the figures). The
    /// generator asked for 10 groups of 10 prompts of 100 system + 447 question tokens, and 248
    /// output tokens with `ignore_eos`; the server's tokenizer counted 575 (559–589) prompt
    /// tokens, as random tokens decoded to text and encoded again come out about 5 % more (so a
    /// system prompt is 1 + 105 tokens). The ±15-token spread is kept out of the replay: it
    /// moves a prompt's cost by under 3 %.
    /// Llama-2-70B and Llama-3.3-70B have the same layers, widths and grouped KV heads, so the
    /// same FLOPs and KV bytes per token; Llama-3.3's vocabulary is larger (128 K against 32 K
    /// tokens), so its output layer is too (about 1 % of the parameters).
    public static let published: [Point] = {
        let server: ModelProfile
        // Constant settings that vLLM accepts: a failure here is a bug in the profile.
        do { server = try ModelProfile.llama70BH100.overriding(maxNumBatchedTokens: 2048, maxNumSeqs: 128) } catch {
            preconditionFailure("the calibration settings were refused: \(error)")
        }
        return [
            Point(name: "llama-2-70b 4xH100, 8 rps", profile: server, rate: 8, seconds: 600, promptTokens: 575, outputTokens: 248,
                  groups: 10, promptsPerGroup: 10, systemPromptTokens: 106,
                  ttftMean: 0.0574, ttftMedian: 0.0552, e2eMean: 4.678, outputTokensPerSecond: 1955),
            Point(name: "llama-2-70b 4xH100, 20 rps", profile: server, rate: 20, seconds: 600, promptTokens: 575, outputTokens: 248,
                  groups: 10, promptsPerGroup: 10, systemPromptTokens: 106,
                  ttftMean: 0.1213, ttftMedian: 0.0683, e2eMean: 5.577, outputTokensPerSecond: 4875),
        ]
    }()

    /// The same load measured on Llama-2-7B on one H100 (TP1, the same server settings;
    /// inference-sim/training @ed5c1d26, default_args/20260217-231439-llama-2-7b-tp1-general),
    /// replayed on `llama-8b-1xh100` for comparison, not held to the tolerances: Llama-2-7B has
    /// no grouped KV heads (512 KiB of KV per token against Llama-3.1-8B's 128 KiB, which decode
    /// steps read) and 6.7 G parameters against 8.0 G.
    public static let reported: [Point] = {
        let server: ModelProfile
        do { server = try ModelProfile.llama8B.overriding(maxNumBatchedTokens: 2048, maxNumSeqs: 128) } catch {
            preconditionFailure("the calibration settings were refused: \(error)")
        }
        return [
            Point(name: "llama-2-7b 1xH100, 8 rps", profile: server, rate: 8, seconds: 600, promptTokens: 575, outputTokens: 248,
                  groups: 10, promptsPerGroup: 10, systemPromptTokens: 106,
                  ttftMean: 0.0271, ttftMedian: 0.0268, e2eMean: 2.058, outputTokensPerSecond: 1676),
            Point(name: "llama-2-7b 1xH100, 20 rps", profile: server, rate: 20, seconds: 600, promptTokens: 575, outputTokens: 248,
                  groups: 10, promptsPerGroup: 10, systemPromptTokens: 106,
                  ttftMean: 0.0519, ttftMedian: 0.0511, e2eMean: 4.158, outputTokensPerSecond: 4156),
        ]
    }()

    /// Seeds of the arrival draws each point is replayed with: one measured run is one draw,
    /// so the model is held to the mean over several.
    public static let seeds: [UInt64] = [1, 2, 3, 4]

    /// Arrival times, seconds from the stage's start, as inference-perf's `constant` load
    /// draws them: `count` exponential gaps scaled to sum to `seconds` (the last request comes
    /// at the stage's end).
    public static func arrivals(count: Int, seconds: Double, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed: seed)
        var gaps = (0..<count).map { _ in -log(rng.unit()) }
        let scale = seconds / gaps.reduce(0, +)
        var t = 0.0
        for i in gaps.indices {
            t += gaps[i] * scale
            gaps[i] = t
        }
        return gaps
    }

    /// The requests of `point` for one seed: the arrivals, and the shuffled prompt set in turn.
    public static func requests(_ point: Point, seed: UInt64) -> [TraceRequest] {
        let prompts = promptSet(point, seed: seed)
        return arrivals(count: Int(point.rate * point.seconds), seconds: point.seconds, seed: seed).enumerated().map { i, t in
            TraceRequest(time: t, promptTokens: point.promptTokens, outputTokens: point.outputTokens,
                         segments: prompts[i % prompts.count])
        }
    }

    /// The prompts of `point` as segments (a group's system prompt, then the prompt's question),
    /// shuffled once as the generator shuffles them.
    static func promptSet(_ point: Point, seed: UInt64) -> [[PromptSegment]] {
        var prompts: [[PromptSegment]] = []
        for g in 0..<point.groups {
            for q in 0..<point.promptsPerGroup {
                prompts.append([PromptSegment(id: UInt64(g), tokens: point.systemPromptTokens),
                                PromptSegment(id: UInt64(1 + g) << 32 | UInt64(q), tokens: point.promptTokens - point.systemPromptTokens)])
            }
        }
        var rng = SeededRandom(seed: seed ^ 0x5348_5546)
        prompts.shuffle(using: &rng)
        return prompts
    }

    /// Replays `point` on one fixed replica once per seed of `seeds`.
    public static func replay(_ point: Point, seeds: [UInt64] = Calibration.seeds) async -> Outcome {
        var runs: [PolicyResult] = []
        for seed in seeds {
            let requests = self.requests(point, seed: seed)
            var c = SimulationConfiguration(trace: Trace(requests: requests, duration: point.seconds), profile: point.profile,
                                            policies: [.fixed(1)])
            c.keepSeries = false
            runs.append(await Simulator.run(c).results[0])
        }
        func mean(_ figure: (PolicyResult) -> Double) -> Double { runs.map(figure).reduce(0, +) / Double(runs.count) }
        let ttftMeans = runs.map(\.ttftMean)
        return Outcome(point: point, ttftMean: mean(\.ttftMean), ttftMeanLowest: ttftMeans.min() ?? 0,
                       ttftMeanHighest: ttftMeans.max() ?? 0, ttftMedian: mean(\.ttftP50), e2eMean: mean(\.e2eMean),
                       outputTokensPerSecond: mean(\.outputTokensPerSecond))
    }
}
