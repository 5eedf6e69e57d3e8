/// The replica model against published measurements of real vLLM servers: the same load
/// replayed on fixed replicas, and the simulated means beside the measured ones.
public enum Calibration {
    /// One measured load point.
    public struct Point: Sendable {
        /// What was measured, for reports.
        public var name: String
        /// The profile whose replica the measurement stands for, with the server's settings.
        public var profile: ModelProfile
        /// Requests per second, at a constant rate.
        public var rate: Double
        /// Seconds the rate was held.
        public var seconds: Double
        public var promptTokens: Int
        public var outputTokens: Int
        /// Measured: time to first token (mean and median) and end to end (mean), seconds;
        /// output tokens per second.
        public var ttftMean: Double
        public var ttftMedian: Double
        public var e2eMean: Double
        public var outputTokensPerSecond: Double
    }

    /// What the model gave for a point.
    public struct Outcome: Sendable {
        public var point: Point
        public var ttftMean: Double
        public var ttftMedian: Double
        public var e2eMean: Double
        public var outputTokensPerSecond: Double

        /// Simulated over measured.
        public var ttftRatio: Double { ttftMean / point.ttftMean }
        public var ttftMedianRatio: Double { ttftMedian / point.ttftMedian }
        public var e2eRatio: Double { e2eMean / point.e2eMean }
        public var throughputRatio: Double { outputTokensPerSecond / point.outputTokensPerSecond }
    }

    /// Tolerances the profiles are held to: ±25 % on TTFT means (and medians), ±15 % on
    /// end-to-end means and output throughput.
    public static let ttftTolerance = 0.25
    public static let e2eTolerance = 0.15
    public static let throughputTolerance = 0.15

    /// Llama-2-70B on 4 H100 (TP4), vLLM with `max_num_batched_tokens` 2,048 and `max_num_seqs`
    /// 128, one replica, a constant rate for 600 s at each of two rates (inference-sim/training
    /// @ed5c1d26, default_args/20260217-202857-llama-2-70b-tp4-general, the per-stage lifecycle
    /// metrics). The generator asked for 100 + 447 prompt tokens and 248 output tokens; the
    /// server's tokenizer counted 575 (559–589) prompt tokens, which is what it computed.
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
                  ttftMean: 0.0574, ttftMedian: 0.0552, e2eMean: 4.678, outputTokensPerSecond: 1955),
            Point(name: "llama-2-70b 4xH100, 20 rps", profile: server, rate: 20, seconds: 600, promptTokens: 575, outputTokens: 248,
                  ttftMean: 0.1213, ttftMedian: 0.0683, e2eMean: 5.577, outputTokensPerSecond: 4875),
        ]
    }()

    /// Replays `point` on one fixed replica.
    public static func replay(_ point: Point) async -> Outcome {
        let count = Int(point.rate * point.seconds)
        let requests = (0..<count).map {
            TraceRequest(time: Double($0) / point.rate, promptTokens: point.promptTokens, outputTokens: point.outputTokens)
        }
        var c = SimulationConfiguration(trace: Trace(requests: requests, duration: point.seconds), profile: point.profile,
                                        policies: [.fixed(1)])
        c.keepSeries = false
        let r = await Simulator.run(c).results[0]
        return Outcome(point: point, ttftMean: r.ttftMean, ttftMedian: r.ttftP50, e2eMean: r.e2eMean,
                       outputTokensPerSecond: r.outputTokensPerSecond)
    }

    /// Whether a point's measured TTFT mean is carried by a tail (mean over 1.25 × the median):
    /// stalls and bursts at the sequence cap that a replay at a constant rate has no source
    /// for. Such a point is held to its median instead of its mean.
    public static func isTailDominated(_ point: Point) -> Bool { point.ttftMean > 1.25 * point.ttftMedian }
}
