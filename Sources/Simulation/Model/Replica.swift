/// One replica in the cluster model: its life (starting, ready, draining) and, for an LLM
/// server, continuous batching with one prefill at a time, decode that slows as the batch
/// grows, and KV-cache admission; for a predictive model, a number of slots.
struct Replica {
    enum Phase { case starting, ready, draining, gone }

    let id: Int
    let createdAt: Double
    var readyAt: Double
    var phase: Phase = .starting
    /// Bumped on every change of the next event; older heap entries are stale.
    var version = 0

    /// Requests routed here and not yet admitted (the runtime's own queue), FIFO.
    var waiting = FIFO()
    // LLM: admitted requests waiting for or in prefill (FIFO), the one in prefill ends at `prefillEnd`.
    var prefill = FIFO()
    var prefillEnd: Double?
    /// Decoding sequences keyed by the decode progress at which they finish.
    var decoding = MinHeap<Int32>()
    /// Tokens each decoding sequence has produced so far (one number for all: every
    /// sequence in the batch decodes at the same rate).
    var progress = 0.0
    var lastAdvance: Double
    var kvUsed = 0
    // Predictive: requests in service keyed by completion time.
    var inService = MinHeap<Int32>()

    init(id: Int, createdAt: Double, readyAt: Double) {
        self.id = id
        self.createdAt = createdAt
        self.readyAt = readyAt
        lastAdvance = createdAt
    }

    /// An empty stand-in, swapped in while a replica is being updated.
    static let placeholder = Replica(id: -1, createdAt: 0, readyAt: 0)

    /// Requests admitted (in a batch or a slot).
    var running: Int { prefill.count + decoding.count + inService.count }
    /// What the runtime reports as waiting: queued here, plus admitted requests whose prefill
    /// has not started (vLLM schedules a prompt only when its prefill fits the step, so those
    /// count as waiting, not running).
    var waitingSignal: Int { waiting.count + max(0, prefill.count - (prefillEnd == nil ? 0 : 1)) }
    /// What the runtime reports as running: the prompt in prefill and the sequences decoding
    /// (or the requests in service).
    var runningSignal: Int { running - max(0, prefill.count - (prefillEnd == nil ? 0 : 1)) }

    /// Requests here: waiting and running.
    var outstanding: Int { waiting.count + running }
    var isEmpty: Bool { outstanding == 0 }
}

/// A FIFO of request indices (array with a moving head, compacted as it drains).
struct FIFO {
    private var items: [Int32] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }
    var first: Int32? { isEmpty ? nil : items[head] }

    mutating func append(_ x: Int32) { items.append(x) }

    mutating func removeFirst() -> Int32 {
        let x = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return x
    }

    mutating func removeAll() -> [Int32] {
        let rest = Array(items[head...])
        items = []
        head = 0
        return rest
    }
}
