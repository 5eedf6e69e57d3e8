/// One replica in the cluster model: its life (starting, ready, draining) and what it serves:
/// for an LLM server, a vLLM V1 engine (`V1Scheduler`); for a predictive model, a number of
/// slots.
struct Replica {
    enum Phase { case starting, ready, draining, gone }

    let id: Int
    let createdAt: Double
    var readyAt: Double
    var phase: Phase = .starting
    /// Bumped on every change of the next event; older heap entries are stale.
    var version = 0

    /// LLM: the engine, its queue, batch and KV cache.
    var engine: V1Scheduler
    // Predictive: requests routed here and not yet in a slot (FIFO), and those in service
    // keyed by completion time.
    var waiting = FIFO()
    var inService = MinHeap<Int32>()

    init(id: Int, createdAt: Double, readyAt: Double, engine: V1Scheduler) {
        self.id = id
        self.createdAt = createdAt
        self.readyAt = readyAt
        self.engine = engine
    }

    /// What the runtime reports as running: admitted requests, mid-prefill ones included
    /// (vLLM V1's `num_requests_running`), or the requests in service.
    var runningSignal: Int { engine.runningCount + inService.count }
    /// What the runtime reports as waiting: not yet admitted, preempted ones included (vLLM
    /// V1's `num_requests_waiting`), or queued for a slot.
    var waitingSignal: Int { engine.waitingCount + waiting.count }

    /// Requests here: waiting and running.
    var outstanding: Int { waitingSignal + runningSignal }
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
