/// One replica's engine as vLLM V1 schedules it (vllm/v1/core/sched/scheduler.py), step by step:
///
/// - Each step has a token budget (`maxNumBatchedTokens`). Running requests come first, in the
///   order they were admitted: a decoding one takes one token, one whose prompt is not all
///   computed takes its next chunk within what is left (chunked prefill).
/// - Then waiting requests, oldest first (preempted ones ahead of new ones), while budget is
///   left, fewer than `maxNumSeqs` run, and the KV blocks for their first chunk are free; none
///   in a step that preempted.
/// - KV blocks (`blockSize` tokens each) are allocated as a request's tokens grow. When a
///   running request cannot get its block, the newest running request is preempted: its
///   blocks are freed and it goes back to the front of the waiting queue, to recompute
///   everything (prompt and output so far) when it is admitted again.
/// - A prompt's first token comes out at the end of the step in which its last chunk ran
///   (plus the request overhead outside the engine, which does not hold the engine up).
/// - Automatic prefix caching (`KVBlockPool`): a request admitted finds its prompt's leading
///   blocks in the cache when an earlier prompt had the same content; those tokens are not
///   computed (they cost no budget and no step time) and at least one token always is.
///
/// Speed: decoding sequences share one decode clock (a sequence's output count is its
/// offset plus the clock), so a step costs the same whatever the batch. While nothing can be
/// admitted and no prompt is in progress, consecutive decode steps are identical but for
/// their growing context, and the engine runs them as one stretch up to the next sequence
/// to finish or the next block shortage, cut short when a request arrives.
struct V1Scheduler {
    let settings: ModelProfile.LLM
    /// Seconds a request may wait before it is first scheduled; it then fails.
    let timeout: Double

    // Waiting: preempted requests (the last one preempted resumes first), then new ones.
    private var resumed: [Int32] = []
    private var fresh = FIFO()

    /// Running requests in admission order; finished ones are dropped lazily.
    private var order: [Int32] = []
    private(set) var runningCount = 0
    /// The running request whose prompt is only partly computed (it is the newest), or -1.
    private var partial: Int32 = -1

    /// Decoding sequences keyed by the decode clock at which they have all their tokens.
    private var finishes = MinHeap<Int32>()
    private(set) var decodeCount = 0
    /// Σ (prompt + offset) over decoding sequences: their context is this + count × clock.
    private var contextBase = 0
    /// Decoding sequences by (prompt + offset − 1) mod blockSize: the class that needs a new
    /// block at clock D is (−D) mod blockSize.
    private var residue: [Int]
    /// Decode steps run so far.
    private var clock = 0
    /// The KV blocks, with the prefix cache.
    private var pool: KVBlockPool
    var freeBlocks: Int { pool.free }

    // The step (or stretch of decode steps) in progress.
    private(set) var busy = false
    private var stepStart = 0.0
    private(set) var stepEnd = 0.0
    /// Decode steps of a stretch in progress; 0 for a single scheduled step.
    private var stretch = 0
    /// Seconds of the first step of a stretch (later ones grow with the context).
    private var stretchFirst = 0.0
    private var stepDecodes = 0
    private var chunked: [Int32] = []

    // This replica's counters, as its /metrics counts them.
    private(set) var promptTokensTotal = 0
    private(set) var generationTokensTotal = 0
    private(set) var preemptionsTotal = 0
    /// Tokens looked up in the prefix cache at admission, and those found.
    private(set) var prefixCacheQueriesTotal = 0
    private(set) var prefixCacheHitsTotal = 0

    init(settings: ModelProfile.LLM, timeout: Double) {
        self.settings = settings
        self.timeout = timeout
        residue = Array(repeating: 0, count: max(1, settings.blockSize))
        pool = KVBlockPool(blocks: settings.gpuBlocks)
    }

    /// An engine with no capacity, for replicas that do not run one.
    static let none = V1Scheduler(settings: .init(stepTime: .init(baseSeconds: 1, perPrefillTokenSeconds: 0, perDecodeSequenceSeconds: 0),
                                                   maxNumBatchedTokens: 1, maxNumSeqs: 1, gpuBlocks: 0, blockSize: 1, maxModelLen: 0),
                                  timeout: 0)

    /// Requests not yet admitted, preempted ones included (vLLM's `num_requests_waiting`).
    var waitingCount: Int { resumed.count + fresh.count }
    /// Requests here: waiting and running.
    var outstanding: Int { waitingCount + runningCount }

    // MARK: - Events

    /// A request routed here joins the waiting queue. Returns the new time of the engine's next
    /// event when it changes, nil otherwise: an idle engine wakes now (its step is scheduled
    /// when that event comes, after every request arriving at the same instant has joined,
    /// as vLLM's engine takes all pending input before it schedules); a decode stretch is cut
    /// at the end of the step in progress so that the request can be admitted.
    mutating func enqueue(_ r: Int32, now: Double) -> Double? {
        fresh.append(r)
        if !busy { return now }
        if stretch > 0 && runningCount < settings.maxNumSeqs { return cutStretch(at: now) }
        return nil
    }

    /// The step in progress ended (now is `stepEnd`), or an idle engine wakes: the step's
    /// tokens come out, finished requests leave, and the next step is scheduled. Returns when
    /// that one ends, nil when idle.
    mutating func stepEnded(now: Double, _ t: inout RequestTable, _ out: inout EngineOutcomes) -> Double? {
        guard busy else { return schedule(now: now, &t, &out) }
        busy = false
        if stretch > 0 {
            pool.allocate(blocksNeeded(from: clock, steps: stretch))
            clock += stretch
            out.generatedTokens += decodeCount * stretch
            generationTokensTotal += decodeCount * stretch
        } else {
            if stepDecodes > 0 {
                clock += 1
                out.generatedTokens += stepDecodes
                generationTokensTotal += stepDecodes
            }
        }
        finishDue(now: now, &t, &out)
        if stretch == 0 { finishPrefills(now: now, &t, &out) }
        stretch = 0
        return schedule(now: now, &t, &out)
    }

    // MARK: - Scheduling

    private mutating func schedule(now: Double, _ t: inout RequestTable, _ out: inout EngineOutcomes) -> Double? {
        dropStaleFinishes(t)
        if partial < 0 && decodeCount > 0 && !canAdmit(t) {
            let steps = stretchLength()
            let s = settings.stepTime
            let first = s.baseSeconds + s.perDecodeSequenceSeconds * Double(decodeCount)
                + s.perContextTokenSeconds * Double(contextBase + decodeCount * clock)
            // The closed form needs the line above the floor; it stays above as the context grows.
            if steps > 0 && first >= s.minimumPerTokenSeconds * Double(decodeCount) {
                stretchFirst = first
                stretch = steps
                stepDecodes = decodeCount
                busy = true
                stepStart = now
                stepEnd = now + stretchSeconds(steps)
                return stepEnd
            }
        }
        // One step at a time; a step that only preempted (nothing left to run) is followed
        // at once by one that admits, as vLLM's engine loop schedules again without running.
        for _ in 0..<2 {
            let (scheduled, preempted) = scheduleStep(now: now, &t, &out)
            if scheduled { return stepEnd }
            if !preempted { break }
        }
        return nil
    }

    /// Whether the next step would admit the first waiting request.
    private func canAdmit(_ t: RequestTable) -> Bool {
        guard runningCount < settings.maxNumSeqs, let r = peekWaiting() else { return false }
        let budget = settings.maxNumBatchedTokens - decodeCount
        guard budget > 0 else { return false }
        let hit = prefixHit(r, t)
        let chunk = min(tokensToCompute(r, t) - hit.blocks * settings.blockSize, budget)
        return blocks(hit.blocks * settings.blockSize + chunk) - hit.blocks + hit.idle + residue[needClass(clock)] <= freeBlocks
    }

    /// Schedules one step: decodes, the partial prompt's next chunk, then admissions.
    private mutating func scheduleStep(now: Double, _ t: inout RequestTable, _ out: inout EngineOutcomes) -> (scheduled: Bool, preempted: Bool) {
        var budget = settings.maxNumBatchedTokens
        var preempted = false
        chunked.removeAll(keepingCapacity: true)
        // Decoding sequences first; when their blocks do not fit, the newest running requests go.
        var need = decodeCount > 0 ? residue[needClass(clock)] : 0
        while need > freeBlocks, let victim = popNewest(t) {
            preempted = true
            if victim == partial {
                releaseBlocks(victim, count: Int(t.blocks[Int(victim)]), &t)
                partial = -1
            } else {
                if key(victim, t) == needClass(clock) { need -= 1 }
                removeDecoding(victim, &t)
            }
            preempt(victim, &t, &out)
        }
        pool.allocate(need)
        let decodes = decodeCount
        budget -= decodes
        var prefillTokens = 0
        // The prompt in progress takes its next chunk, or is preempted when its blocks do not fit
        // (it is the newest running request, so vLLM preempts it rather than an older one).
        if partial >= 0 && budget > 0 {
            let r = Int(partial)
            let chunk = min(tokensToCompute(partial, t) - Int(t.computed[r]), budget)
            let more = blocks(Int(t.computed[r]) + chunk) - Int(t.blocks[r])
            if more > freeBlocks {
                _ = popNewest(t)
                releaseBlocks(partial, count: Int(t.blocks[r]), &t)
                partial = -1
                preempt(Int32(r), &t, &out)
                preempted = true
            } else {
                pool.allocate(more)
                t.blocks[r] += Int32(more)
                t.computed[r] += Int32(chunk)
                registerBlocks(partial, &t)
                budget -= chunk
                prefillTokens += chunk
                chunked.append(Int32(r))
            }
        }
        // Waiting requests, while the budget, the sequence cap and the KV blocks allow.
        if !preempted {
            while budget > 0 && runningCount < settings.maxNumSeqs, let r32 = peekWaiting() {
                let r = Int(r32)
                if !t.started[r] && now - t.arrival[r] > timeout {
                    popWaiting()
                    t.state[r] = .done
                    out.timedOut += 1
                    continue
                }
                let total = tokensToCompute(r32, t)
                // Cached leading blocks are shared, not computed; a free one counts against the
                // free blocks (the hit takes it out of the free queue).
                let hit = prefixHit(r32, t)
                let cachedTokens = hit.blocks * settings.blockSize
                let chunk = min(total - cachedTokens, budget)
                let need = blocks(cachedTokens + chunk) - hit.blocks
                guard need + hit.idle <= freeBlocks else { break }
                popWaiting()
                if hit.blocks > 0, let hashes = t.prefixHashes[r32] {
                    pool.acquire(hashes[0..<hit.blocks])
                    t.held[r32] = Int32(hit.blocks)
                }
                pool.allocate(need)
                if settings.enablePrefixCaching {
                    prefixCacheQueriesTotal += total
                    prefixCacheHitsTotal += cachedTokens
                }
                t.blocks[r] = Int32(hit.blocks + need)
                t.computed[r] = Int32(cachedTokens + chunk)
                registerBlocks(r32, &t)
                t.state[r] = .prefill
                if !t.started[r] {
                    t.started[r] = true
                    out.waits.append(now - t.arrival[r])
                }
                order.append(r32)
                runningCount += 1
                budget -= chunk
                prefillTokens += chunk
                chunked.append(r32)
                if cachedTokens + chunk < total { partial = r32 }
            }
        }
        guard decodes > 0 || !chunked.isEmpty else { return (false, preempted) }
        stepDecodes = decodes
        stretch = 0
        busy = true
        stepStart = now
        stepEnd = now + settings.stepTime.seconds(prefillTokens: prefillTokens, decodeSequences: decodes,
                                                 contextTokens: contextBase + decodes * clock)
        return (true, preempted)
    }

    // MARK: - Step effects

    /// Decoding sequences whose last token came out leave and free their blocks.
    private mutating func finishDue(now: Double, _ t: inout RequestTable, _ out: inout EngineOutcomes) {
        while let k = finishes.minKey, k <= Double(clock) {
            let (_, r32) = finishes.pop()
            let r = Int(r32)
            guard t.state[r] == .decoding, Double(Int(t.output[r]) - Int(t.offset[r])) == k else { continue }
            let cached = Int(t.prompt[r]) + Int(t.output[r]) - 1
            releaseBlocks(r32, count: blocks(cached), &t)
            leaveDecoding(r, t)
            t.state[r] = .done
            t.generated[r] = t.output[r]
            runningCount -= 1
            out.completed += 1
            out.e2e.append(now - t.arrival[r] + settings.requestOverhead(promptTokens: Int(t.prompt[r])))
        }
        compactOrder(t)
    }

    /// Requests whose prompt (or recompute) finished in this step: a token comes out (the
    /// first one: their time to first token); they decode from the next step, or are done.
    private mutating func finishPrefills(now: Double, _ t: inout RequestTable, _ out: inout EngineOutcomes) {
        for r32 in chunked {
            let r = Int(r32)
            guard t.state[r] == .prefill, Int(t.computed[r]) >= tokensToCompute(r32, t) else { continue }
            if partial == r32 { partial = -1 }
            if t.generated[r] == 0 {
                out.ttft.append(now - t.arrival[r] + settings.requestOverhead(promptTokens: Int(t.prompt[r])))
                out.promptTokens += Int(t.prompt[r])
                promptTokensTotal += Int(t.prompt[r])
            }
            t.generated[r] += 1
            out.generatedTokens += 1
            generationTokensTotal += 1
            if t.generated[r] >= t.output[r] {
                releaseBlocks(r32, count: Int(t.blocks[r]), &t)
                t.state[r] = .done
                runningCount -= 1
                out.completed += 1
                out.e2e.append(now - t.arrival[r] + settings.requestOverhead(promptTokens: Int(t.prompt[r])))
                continue
            }
            // The cached tokens (prompt + generated − 1) now grow by one per decode step.
            let offset = Int(t.generated[r]) - clock
            t.offset[r] = Int32(offset)
            t.state[r] = .decoding
            contextBase += Int(t.prompt[r]) + offset
            residue[key(r32, t)] += 1
            decodeCount += 1
            finishes.push(Double(Int(t.output[r]) - offset), r32)
        }
        chunked.removeAll(keepingCapacity: true)
        compactOrder(t)
    }

    // MARK: - Helpers

    private func blocks(_ tokens: Int) -> Int { (tokens + settings.blockSize - 1) / settings.blockSize }

    /// Leading blocks of request `r` that the prefix cache holds, and how many of them are
    /// free; at most all but the block of its last token, which is always computed (vLLM
    /// computes it for the logits: `max_cache_hit_length` is one token short of the request).
    private func prefixHit(_ r: Int32, _ t: RequestTable) -> (blocks: Int, idle: Int) {
        guard settings.enablePrefixCaching, let hashes = t.prefixHashes[r] else { return (0, 0) }
        return pool.lookup(hashes, limit: (tokensToCompute(r, t) - 1) / settings.blockSize)
    }

    /// Request `r`'s prompt blocks that its computed tokens now fill enter the prefix cache,
    /// as vLLM caches full blocks when it schedules them.
    private mutating func registerBlocks(_ r: Int32, _ t: inout RequestTable) {
        guard settings.enablePrefixCaching, let hashes = t.prefixHashes[r] else { return }
        let before = Int(t.held[r] ?? 0)
        let full = min(hashes.count, Int(t.computed[Int(r)]) / settings.blockSize)
        var held = before
        while held < full && pool.register(hashes[held]) { held += 1 }
        if held != before { t.held[r] = Int32(held) }
    }

    /// Request `r` lets go of its `count` blocks (cached ones stay findable until reused).
    private mutating func releaseBlocks(_ r: Int32, count: Int, _ t: inout RequestTable) {
        let held = Int(t.held.removeValue(forKey: r) ?? 0)
        if held > 0, let hashes = t.prefixHashes[r] {
            pool.release(own: count - held, cached: hashes[0..<held])
        } else {
            pool.release(own: count, cached: [])
        }
    }

    /// Tokens a request computes when (re)admitted: its prompt and the output it already has.
    private func tokensToCompute(_ r: Int32, _ t: RequestTable) -> Int { Int(t.prompt[Int(r)]) + Int(t.generated[Int(r)]) }

    /// The residue class of decoding sequences that need a new block in the step at clock `d`.
    private func needClass(_ d: Int) -> Int {
        let b = settings.blockSize
        return (b - d % b) % b
    }

    private func key(_ r: Int32, _ t: RequestTable) -> Int {
        let b = settings.blockSize
        let x = (Int(t.prompt[Int(r)]) + Int(t.offset[Int(r)]) - 1) % b
        return x < 0 ? x + b : x
    }

    private mutating func leaveDecoding(_ r: Int, _ t: RequestTable) {
        contextBase -= Int(t.prompt[r]) + Int(t.offset[r])
        residue[key(Int32(r), t)] -= 1
        decodeCount -= 1
    }

    /// Takes decoding request `r` out of the batch and frees its blocks (for a preemption).
    private mutating func removeDecoding(_ r32: Int32, _ t: inout RequestTable) {
        let r = Int(r32)
        let generated = Int(t.offset[r]) + clock
        releaseBlocks(r32, count: blocks(Int(t.prompt[r]) + generated - 1), &t)
        leaveDecoding(r, t)
        t.generated[r] = Int32(generated)
    }

    /// Sends running request `r` (already out of the running list) back to the front of the queue.
    private mutating func preempt(_ r32: Int32, _ t: inout RequestTable, _ out: inout EngineOutcomes) {
        let r = Int(r32)
        t.state[r] = .waiting
        t.computed[r] = 0
        t.blocks[r] = 0
        resumed.append(r32)
        out.preemptions += 1
        preemptionsTotal += 1
    }

    /// Removes and returns the newest running request.
    private mutating func popNewest(_ t: RequestTable) -> Int32? {
        while let last = order.last {
            order.removeLast()
            let s = t.state[Int(last)]
            if s == .prefill || s == .decoding {
                runningCount -= 1
                return last
            }
        }
        return nil
    }

    private mutating func compactOrder(_ t: RequestTable) {
        guard order.count > 2 * runningCount + 64 else { return }
        order.removeAll { t.state[Int($0)] != .prefill && t.state[Int($0)] != .decoding }
    }

    private func peekWaiting() -> Int32? { resumed.last ?? fresh.first }

    private mutating func popWaiting() {
        if resumed.isEmpty { _ = fresh.removeFirst() } else { resumed.removeLast() }
    }

    private mutating func dropStaleFinishes(_ t: RequestTable) {
        while let e = finishes.first {
            let r = Int(e.value)
            if t.state[r] == .decoding && Double(Int(t.output[r]) - Int(t.offset[r])) == e.key { return }
            finishes.pop()
        }
    }

    // MARK: - Stretches of decode steps

    /// Decode steps that can run back to back from now: up to the first sequence to finish,
    /// and no further than the free blocks last (0 when the next step already lacks blocks).
    private func stretchLength() -> Int {
        guard let next = finishes.minKey else { return 0 }
        let toFinish = Int(next) - clock
        let n = decodeCount
        let b = settings.blockSize
        // Every blockSize consecutive steps, each sequence needs exactly one new block.
        let cycles = freeBlocks / n
        if cycles * b >= toFinish { return toFinish }
        var steps = cycles * b
        var used = cycles * n
        // The class that needs a block steps down by one (mod blockSize) each step.
        var c = needClass(clock)
        while steps < toFinish {
            let need = residue[c]
            if used + need > freeBlocks { break }
            used += need
            steps += 1
            c = c == 0 ? b - 1 : c - 1
        }
        return steps
    }

    /// New blocks the decoding sequences take over `steps` steps from clock `from`.
    private func blocksNeeded(from: Int, steps: Int) -> Int {
        let b = settings.blockSize
        let cycles = steps / b
        var used = cycles * decodeCount
        var c = needClass(from)
        for _ in (cycles * b)..<steps {
            used += residue[c]
            c = c == 0 ? b - 1 : c - 1
        }
        return used
    }

    /// Seconds of the first `k` steps of the stretch: each step's context is the previous
    /// one's plus one token per sequence.
    private func stretchSeconds(_ k: Int) -> Double {
        let growth = settings.stepTime.perContextTokenSeconds * Double(stepDecodes)
        return Double(k) * stretchFirst + growth * Double(k) * Double(k - 1) / 2
    }

    /// Steps of the stretch that have ended by `elapsed` seconds into it.
    private func stepsDone(within elapsed: Double) -> Int {
        let growth = settings.stepTime.perContextTokenSeconds * Double(stepDecodes)
        var k: Int
        if growth > 0 {
            let a = growth / 2, b = stretchFirst - growth / 2
            k = Int(((-b + (b * b + 4 * a * elapsed).squareRoot()) / (2 * a)).rounded(.down))
        } else {
            k = Int((elapsed / stretchFirst).rounded(.down))
        }
        k = min(max(0, k), stretch)
        while k > 0 && stretchSeconds(k) > elapsed { k -= 1 }
        while k < stretch && stretchSeconds(k + 1) <= elapsed { k += 1 }
        return k
    }

    /// Ends the stretch at the end of the step in progress at `now`.
    private mutating func cutStretch(at now: Double) -> Double? {
        let elapsed = now - stepStart
        let done = stepsDone(within: elapsed)
        // A step that ends exactly now is the boundary; otherwise the one in progress.
        let steps = min(stretch, done >= 1 && stretchSeconds(done) >= elapsed - 1e-12 ? done : done + 1)
        guard steps < stretch else { return nil }
        stretch = steps
        stepEnd = stepStart + stretchSeconds(steps)
        return stepEnd
    }

    // MARK: - Metrics

    /// What the replica's /metrics would show at `now`: the request counts, the KV blocks in
    /// use, and output tokens of a stretch's steps that have ended (not yet in the outcomes).
    func metrics(at now: Double) -> (running: Int, waiting: Int, usedBlocks: Int, pendingTokens: Int) {
        guard settings.gpuBlocks > 0 else { return (0, 0, 0, 0) }
        var used = pool.used
        var pending = 0
        if busy && stretch > 0 {
            let done = stepsDone(within: now - stepStart)
            // Blocks are allocated when a step is scheduled: those of the step in progress too.
            used += blocksNeeded(from: clock, steps: min(stretch, done + 1))
            pending = decodeCount * done
        }
        return (runningCount, waitingCount, used, pending)
    }

    /// The replica's /metrics at `now`, in vLLM V1's terms.
    func exported(at now: Double) -> VLLMMetrics {
        let m = metrics(at: now)
        return VLLMMetrics(numRequestsRunning: m.running, numRequestsWaiting: m.waiting,
                           kvCacheUsagePerc: Double(m.usedBlocks) / Double(max(1, settings.gpuBlocks)),
                           promptTokensTotal: promptTokensTotal, generationTokensTotal: generationTokensTotal + m.pendingTokens,
                           numPreemptionsTotal: preemptionsTotal, prefixCacheQueriesTotal: prefixCacheQueriesTotal,
                           prefixCacheHitsTotal: prefixCacheHitsTotal, numGpuBlocks: settings.gpuBlocks, blockSize: settings.blockSize)
    }
}
