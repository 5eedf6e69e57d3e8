/// How one replica of a model behaves in the cluster model. Figures are assumptions written
/// out in docs/simulation.md with where they come from; change them with a profile of your own.
public struct ModelProfile: Sendable, Equatable {
    /// A vLLM V1 engine: steps that spend a token budget on one decode token per running
    /// sequence and on chunks of prompts, with KV-cache blocks allocated as sequences grow
    /// (docs/simulation.md describes the scheduler and where each figure comes from).
    public struct LLM: Sendable, Equatable {
        /// How long a step takes.
        public var stepTime: StepTime
        /// Tokens one step may compute, decode and prompt tokens together (vLLM's
        /// `max_num_batched_tokens`).
        public var maxNumBatchedTokens: Int
        /// Most requests running at once (vLLM's `max_num_seqs`).
        public var maxNumSeqs: Int
        /// KV-cache blocks on the replica (what vLLM logs and exports as `num_gpu_blocks`).
        public var gpuBlocks: Int
        /// Tokens per KV-cache block (vLLM's `block_size`, 16 by default on CUDA).
        public var blockSize: Int
        /// Longest prompt + output a request may have, in tokens (vLLM's `max_model_len`);
        /// longer requests are rejected.
        public var maxModelLen: Int
        /// Seconds every request spends outside the engine's steps (HTTP, tokenising, handing
        /// the request to the engine, sending the first and last token), added to its time to
        /// first token and its end-to-end time; the engine is not held up by it.
        public var requestOverheadSeconds: Double
        /// More such seconds per prompt token (tokenising).
        public var requestOverheadPerPromptTokenSeconds: Double
        /// Whether prompts' cached KV blocks are reused (vLLM's `enable_prefix_caching`, on by
        /// default in V1); only prompts with shared segments can hit (`TraceRequest.segments`).
        public var enablePrefixCaching: Bool

        public init(stepTime: StepTime, maxNumBatchedTokens: Int, maxNumSeqs: Int, gpuBlocks: Int,
                    blockSize: Int = 16, maxModelLen: Int, requestOverheadSeconds: Double = 0,
                    requestOverheadPerPromptTokenSeconds: Double = 0, enablePrefixCaching: Bool = true) {
            self.stepTime = stepTime
            self.maxNumBatchedTokens = maxNumBatchedTokens
            self.maxNumSeqs = maxNumSeqs
            self.gpuBlocks = gpuBlocks
            self.blockSize = blockSize
            self.maxModelLen = maxModelLen
            self.requestOverheadSeconds = requestOverheadSeconds
            self.requestOverheadPerPromptTokenSeconds = requestOverheadPerPromptTokenSeconds
            self.enablePrefixCaching = enablePrefixCaching
        }

        /// Seconds of request overhead for a prompt of `promptTokens`.
        public func requestOverhead(promptTokens: Int) -> Double {
            requestOverheadSeconds + requestOverheadPerPromptTokenSeconds * Double(promptTokens)
        }

        /// Tokens the KV cache holds.
        public var kvCacheTokens: Int { gpuBlocks * blockSize }

        /// Checks the settings as vLLM does at start-up; the message says which to change.
        public func validate() throws(ProfileError) {
            guard maxNumBatchedTokens > 0 else { throw ProfileError("max-num-batched-tokens must be > 0") }
            guard maxNumSeqs > 0 else { throw ProfileError("max-num-seqs must be > 0") }
            guard gpuBlocks > 0 else { throw ProfileError("gpu-blocks must be > 0") }
            guard blockSize > 0 else { throw ProfileError("block size must be > 0") }
            // vLLM refuses to start with a budget smaller than the sequence cap
            // (vllm/config/scheduler.py): every running sequence must decode its token each step.
            guard maxNumBatchedTokens >= maxNumSeqs else {
                throw ProfileError("max-num-batched-tokens (\(maxNumBatchedTokens)) must be ≥ max-num-seqs (\(maxNumSeqs)), as vLLM requires")
            }
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

    /// Llama-3.1-8B on one H100-80GB, vLLM V1 with the API server's default budget for that
    /// GPU. The BLIS fit for this model, GPU and TP1 on vLLM 0.8.4 (inference-sim/inference-sim
    /// `defaults.yaml`): step 5,752.7 µs + 17.25 µs per prompt token + 6.00 µs per decode
    /// token, 29,205 KV blocks, request overhead alpha0 232 µs + alpha2 3,357 µs (one token's
    /// output processing) + alpha1 1.75 µs per prompt token. Added: 0.076 µs per context token
    /// for the KV cache a decode step reads (128 KiB per token at about half of 3.35 TB/s),
    /// and the floor of 16.2 µs per token (2 × 8.03 G parameters at 989 TFLOPS).
    public static let llama8B = ModelProfile(
        name: "llama-8b-1xh100",
        kind: .llm(LLM(stepTime: StepTime(baseSeconds: 5_752.7e-6, perPrefillTokenSeconds: 17.25e-6,
                                          perDecodeSequenceSeconds: 6.00e-6, perContextTokenSeconds: 0.076e-6,
                                          minimumPerTokenSeconds: 2 * 8.03e9 / 989e12),
                       maxNumBatchedTokens: 8192, maxNumSeqs: 1024, gpuBlocks: 29_205, maxModelLen: 131_072,
                       requestOverheadSeconds: (232.5 + 3_357.4) * 1e-6, requestOverheadPerPromptTokenSeconds: 1.75e-6)),
        coldStartSeconds: 60, gpusPerReplica: 1, concurrencyTarget: 12, ttftObjectiveSeconds: 1)

    /// Llama-3.3-70B, tensor-parallel on 4 H100-80GB, vLLM V1 with the API server's default
    /// budget for that GPU. KV blocks (128,273), request overhead (alpha0 2,597 µs + alpha2
    /// 11,511 µs + alpha1 9.95 µs per prompt token) and the cost of a computed prompt token
    /// (76.42 µs) from the BLIS fit for this model, GPU and TP4 on vLLM 0.8.4. Its per-step and
    /// per-decode terms (12,601 µs, 66.84 µs) are not used: they do not hold the decode speed of
    /// a measured Llama-2-70B server (`Calibration.published`; docs/simulation.md has the
    /// figures). Those two are fitted to that server's inter-token times instead, with its
    /// prompts served from the prefix cache as they were: 17.0 ms per step (the 35 GB of weights
    /// per GPU read at about two thirds of 3.35 TB/s, and the launch overhead) and 12.5 µs per
    /// decoding sequence, beside 0.048 µs per context token (80 KiB of KV per token and GPU at
    /// the 8B profile's share of bandwidth); the floor is 35.7 µs per token (2 × 70.6 G
    /// parameters at 4 × 989 TFLOPS).
    public static let llama70BH100 = ModelProfile(
        name: "llama-70b-4xh100",
        kind: .llm(LLM(stepTime: StepTime(baseSeconds: 17.0e-3, perPrefillTokenSeconds: 76.42e-6,
                                          perDecodeSequenceSeconds: 12.5e-6, perContextTokenSeconds: 0.048e-6,
                                          minimumPerTokenSeconds: 2 * 70.6e9 / (4 * 989e12)),
                       maxNumBatchedTokens: 8192, maxNumSeqs: 1024, gpuBlocks: 128_273, maxModelLen: 131_072,
                       requestOverheadSeconds: (2_597.3 + 11_511.4) * 1e-6, requestOverheadPerPromptTokenSeconds: 9.95e-6)),
        coldStartSeconds: 120, gpusPerReplica: 4, concurrencyTarget: 4, ttftObjectiveSeconds: 2)

    /// Llama-3.3-70B on 4 A100-80GB. There is no published fit for it: derived from the H100
    /// profile, the compute-bound terms (per prompt token and the floor) scaled by the peak
    /// bf16 FLOPs (989 / 312 TFLOPS) and the memory-bound ones (per step, per decode token, per
    /// context token) by the HBM bandwidth (3.35 / 2.039 TB/s); the request overhead (host
    /// work) is kept and the same 80 GB hold the same KV blocks. vLLM gives A100s the smaller
    /// default budget.
    public static let llama70B: ModelProfile = {
        guard case .llm(let h100) = llama70BH100.kind else { preconditionFailure("llama-70b-4xh100 is an LLM profile") }
        let compute = 989.0 / 312, bandwidth = 3.35 / 2.039
        let s = h100.stepTime
        let step = StepTime(baseSeconds: s.baseSeconds * bandwidth, perPrefillTokenSeconds: s.perPrefillTokenSeconds * compute,
                            perDecodeSequenceSeconds: s.perDecodeSequenceSeconds * bandwidth,
                            perContextTokenSeconds: s.perContextTokenSeconds * bandwidth,
                            minimumPerTokenSeconds: s.minimumPerTokenSeconds * compute)
        return ModelProfile(
            name: "llama-70b-4xa100",
            kind: .llm(LLM(stepTime: step, maxNumBatchedTokens: 2048, maxNumSeqs: 256, gpuBlocks: h100.gpuBlocks,
                           maxModelLen: h100.maxModelLen, requestOverheadSeconds: h100.requestOverheadSeconds,
                           requestOverheadPerPromptTokenSeconds: h100.requestOverheadPerPromptTokenSeconds)),
            coldStartSeconds: 120, gpusPerReplica: 4, concurrencyTarget: 4, ttftObjectiveSeconds: 2)
    }()

    /// A predictive model (scikit-learn, XGBoost) on the KServe model server, CPU only.
    public static let predictive = ModelProfile(
        name: "predictive-cpu",
        kind: .predictive(Predictive(slots: 8, meanServiceSeconds: 0.1, serviceCV: 0.5)),
        coldStartSeconds: 15, gpusPerReplica: 0, concurrencyTarget: 6, ttftObjectiveSeconds: 0.5)

    /// Profiles by name.
    public static let all: [ModelProfile] = [llama70B, llama70BH100, llama8B, predictive]

    public static func named(_ name: String) -> ModelProfile? { all.first { $0.name == name } }
}
