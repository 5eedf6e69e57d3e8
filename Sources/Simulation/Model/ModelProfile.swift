/// How one replica of a model behaves in the cluster model. Figures are assumptions written
/// out in docs/simulation.md with where they come from; change them with a profile of your own.
public struct ModelProfile: Sendable, Equatable {
    /// A server with continuous batching (vLLM, TGI, SGLang).
    public struct LLM: Sendable, Equatable {
        /// Most sequences in a batch (vLLM's `max_num_seqs`).
        public var maxBatch: Int
        /// Prompt tokens processed per second by one replica (prefill is compute-bound and
        /// runs one prompt at a time here).
        public var prefillTokensPerSecond: Double
        /// Tokens per second of one sequence decoding alone.
        public var decodeTokensPerSecond: Double
        /// Per extra sequence in the batch, how much slower each sequence decodes:
        /// rate(b) = decode ÷ (1 + slowdown × (b − 1)).
        public var decodeSlowdownPerSequence: Double
        /// KV-cache capacity in tokens; a request reserves prompt + output tokens and waits
        /// when they do not fit.
        public var kvCacheTokens: Int

        public init(maxBatch: Int, prefillTokensPerSecond: Double, decodeTokensPerSecond: Double,
                    decodeSlowdownPerSequence: Double, kvCacheTokens: Int) {
            self.maxBatch = maxBatch
            self.prefillTokensPerSecond = prefillTokensPerSecond
            self.decodeTokensPerSecond = decodeTokensPerSecond
            self.decodeSlowdownPerSequence = decodeSlowdownPerSequence
            self.kvCacheTokens = kvCacheTokens
        }

        /// Per-sequence decode rate with `batch` sequences decoding.
        public func decodeRate(batch: Int) -> Double {
            decodeTokensPerSecond / (1 + decodeSlowdownPerSequence * Double(max(0, batch - 1)))
        }
    }

    /// A predictive model behind a fixed number of concurrency slots.
    public struct Predictive: Sendable, Equatable {
        /// Requests served at once.
        public var slots: Int
        /// Mean service time when the trace does not give one.
        public var meanServiceSeconds: Double
        /// Coefficient of variation of the (log-normal) service time.
        public var serviceCV: Double

        public init(slots: Int, meanServiceSeconds: Double, serviceCV: Double) {
            self.slots = slots
            self.meanServiceSeconds = meanServiceSeconds
            self.serviceCV = serviceCV
        }
    }

    public enum Kind: Sendable, Equatable {
        case llm(LLM)
        case predictive(Predictive)
    }

    /// Profile name, as `--model` takes it.
    public var name: String
    public var kind: Kind
    /// Mean seconds from pod creation to ready (image pull, weights load, warm-up).
    public var coldStartSeconds: Double
    /// Coefficient of variation of the (log-normal) cold start.
    public var coldStartCV: Double
    /// GPUs per replica, for GPU-hours.
    public var gpusPerReplica: Int
    /// The per-pod concurrency target the `kpa` and `hpa` baselines scale on.
    public var concurrencyTarget: Double
    /// Time-to-first-token objective in seconds.
    public var ttftObjectiveSeconds: Double

    public init(name: String, kind: Kind, coldStartSeconds: Double, coldStartCV: Double = 0.1, gpusPerReplica: Int,
                concurrencyTarget: Double, ttftObjectiveSeconds: Double) {
        self.name = name
        self.kind = kind
        self.coldStartSeconds = coldStartSeconds
        self.coldStartCV = coldStartCV
        self.gpusPerReplica = gpusPerReplica
        self.concurrencyTarget = concurrencyTarget
        self.ttftObjectiveSeconds = ttftObjectiveSeconds
    }

    /// A 70B-parameter chat/code model (Llama-2-70B class), tensor-parallel on 4 A100-80GB per
    /// replica, served by vLLM.
    public static let llama70B = ModelProfile(
        name: "llama-70b-4xa100",
        kind: .llm(LLM(maxBatch: 128, prefillTokensPerSecond: 4000, decodeTokensPerSecond: 25,
                       decodeSlowdownPerSequence: 0.02, kvCacheTokens: 400_000)),
        coldStartSeconds: 120, gpusPerReplica: 4, concurrencyTarget: 4, ttftObjectiveSeconds: 2)

    /// An 8B-parameter model (Llama-3-8B class) on one H100-80GB per replica, served by vLLM.
    public static let llama8B = ModelProfile(
        name: "llama-8b-1xh100",
        kind: .llm(LLM(maxBatch: 256, prefillTokensPerSecond: 12000, decodeTokensPerSecond: 90,
                       decodeSlowdownPerSequence: 0.02, kvCacheTokens: 430_000)),
        coldStartSeconds: 60, gpusPerReplica: 1, concurrencyTarget: 12, ttftObjectiveSeconds: 1)

    /// A predictive model (scikit-learn, XGBoost) on the KServe model server, CPU only.
    public static let predictive = ModelProfile(
        name: "predictive-cpu",
        kind: .predictive(Predictive(slots: 8, meanServiceSeconds: 0.1, serviceCV: 0.5)),
        coldStartSeconds: 15, gpusPerReplica: 0, concurrencyTarget: 6, ttftObjectiveSeconds: 0.5)

    /// Profiles by name.
    public static let all: [ModelProfile] = [llama70B, llama8B, predictive]

    public static func named(_ name: String) -> ModelProfile? { all.first { $0.name == name } }
}
