import NIOCore

/// The state of one remote-write shard: a bounded FIFO of samples, the batch in flight, its
/// retries, and the graceful drain.
///
/// Pure: it does no I/O and reads no clock. The driver reports events (`append`,
/// `sendCompleted`, `beginShutdown`) and, whenever it is free, asks `nextAction(now:)` what to
/// do: send a batch, wait (until a time, or until woken), or stop. Because one shard sends one
/// batch at a time and retries that same batch before any later one, every series that is
/// routed to a single shard stays in order.
///
/// `Element` is what is queued (`PendingSample` in the writer; plain values in tests).
public struct RemoteWriteShardStateMachine<Element, Instant: InstantProtocol> where Instant.Duration == Duration {
    /// What an `append` asks the driver to do.
    public enum AppendAction: Equatable {
        /// Nothing: the element is queued and the driver need not look yet.
        case none
        /// Queued; the driver should call `nextAction(now:)` (a batch may be due or a deadline must be armed).
        case wakeDriver
        /// The shard is full (or finished): the element was dropped and counted.
        case dropped
    }

    /// What the driver should do next.
    public enum Action {
        /// Send this batch, then report the result with `sendCompleted`.
        case send([Element])
        /// Nothing to do until `until` (a batch deadline or a retry time), or until woken when `nil`.
        case wait(until: Instant?)
        /// Shut down: everything was sent or counted.
        case finished
    }

    /// Sample counts since the start.
    public struct Counters: Sendable, Equatable {
        /// Accepted by the receiver.
        public var sent = 0
        /// Sent again after a retryable failure (each retry of a batch counts its samples again).
        public var retried = 0
        /// Given up: rejected by the receiver (4xx), or still in flight when the flush time ran out.
        public var failed = 0
        /// Never sent: the queue was full, or they were still queued when the flush time ran out.
        public var dropped = 0
        /// Creates zero counters.
        public init() {}
    }

    enum State {
        case active
        case draining(deadline: Instant)
        case finished
    }

    /// Queue, batching and retry settings.
    public let configuration: RemoteWriteConfiguration.Queue
    private var state: State = .active
    private var pending = CircularBuffer<Element>()
    private var inFlight: [Element]? = nil
    private var sending = false
    private var attempt = 0
    private var retryAt: Instant? = nil
    private var batchDeadline: Instant? = nil
    /// Counts of what happened to the samples.
    public private(set) var counters = Counters()

    /// Creates an empty shard.
    public init(configuration: RemoteWriteConfiguration.Queue) {
        self.configuration = configuration
        pending.reserveCapacity(Swift.min(configuration.capacity, 4_096))
    }

    /// Samples held: queued plus in flight. Never more than `configuration.capacity`.
    public var queueLength: Int { pending.count + (inFlight?.count ?? 0) }

    /// Whether the shard has stopped.
    public var isFinished: Bool { if case .finished = state { true } else { false } }

    /// A sample arrives at `now`.
    public mutating func append(_ element: Element, now: Instant) -> AppendAction {
        if case .finished = state {
            counters.dropped += 1
            return .dropped
        }
        guard queueLength < configuration.capacity else {
            counters.dropped += 1
            return .dropped
        }
        pending.append(element)
        if pending.count == 1 {
            batchDeadline = now.advanced(by: configuration.batchSendDeadline)
        }
        guard inFlight == nil else { return .none }
        return pending.count == 1 || pending.count == configuration.maxSamplesPerSend ? .wakeDriver : .none
    }

    /// Graceful shutdown begins at `now`: send what is queued until `now + flushTimeout`, then
    /// count the rest. The driver should be woken.
    public mutating func beginShutdown(now: Instant) {
        guard case .active = state else { return }
        state = .draining(deadline: now.advanced(by: configuration.flushTimeout))
    }

    /// The driver is stopping without a flush (its task was cancelled): count everything held as dropped.
    public mutating func abandon() {
        counters.dropped += queueLength
        pending.removeAll()
        inFlight = nil
        sending = false
        state = .finished
    }

    /// The driver is free at `now`: what next?
    public mutating func nextAction(now: Instant) -> Action {
        precondition(!sending, "nextAction while a send is outstanding; report it with sendCompleted first")
        var drainDeadline: Instant? = nil
        switch state {
        case .finished:
            return .finished
        case .draining(let deadline):
            if now >= deadline {
                counters.failed += inFlight?.count ?? 0
                counters.dropped += pending.count
                pending.removeAll()
                inFlight = nil
                state = .finished
                return .finished
            }
            drainDeadline = deadline
        case .active:
            break
        }

        if let batch = inFlight {
            if let retryAt, now < retryAt {
                return .wait(until: drainDeadline.map { Swift.min($0, retryAt) } ?? retryAt)
            }
            retryAt = nil
            sending = true
            return .send(batch)
        }
        if pending.isEmpty {
            if drainDeadline != nil {
                state = .finished
                return .finished
            }
            return .wait(until: nil)
        }
        let due = drainDeadline != nil || pending.count >= configuration.maxSamplesPerSend
            || batchDeadline.map { now >= $0 } ?? true
        guard due else { return .wait(until: batchDeadline) }

        let n = Swift.min(configuration.maxSamplesPerSend, pending.count)
        var batch: [Element] = []
        batch.reserveCapacity(n)
        for _ in 0..<n { batch.append(pending.removeFirst()) }
        batchDeadline = pending.isEmpty ? nil : now.advanced(by: configuration.batchSendDeadline)
        inFlight = batch
        attempt = 0
        sending = true
        return .send(batch)
    }

    /// The batch returned by the last `.send` finished at `now` with `outcome`.
    ///
    /// - Parameter jitter: a number in `0..<1` that randomises the retry delay (`0` gives exactly
    ///   `minBackoff × 2^(attempt−1)`, capped at `maxBackoff`).
    public mutating func sendCompleted(_ outcome: SendOutcome, now: Instant, jitter: Double) {
        precondition(sending, "sendCompleted without a send in progress")
        sending = false
        guard let batch = inFlight else { return }
        switch outcome {
        case .success:
            counters.sent += batch.count
            finishBatch()
        case .retryable:
            counters.retried += batch.count
            attempt += 1
            retryAt = now.advanced(by: backoff(attempt: attempt, jitter: jitter))
        case .rateLimited(let retryAfter):
            guard configuration.retryOnRateLimit else {
                counters.failed += batch.count
                finishBatch()
                return
            }
            counters.retried += batch.count
            attempt += 1
            let delay = retryAfter.map { Swift.min($0, configuration.maxRetryAfter) } ?? backoff(attempt: attempt, jitter: jitter)
            retryAt = now.advanced(by: delay)
        case .rejected:
            counters.failed += batch.count
            finishBatch()
        }
    }

    /// The delay before retry number `attempt` (1-based) with jitter `0..<1`.
    public func backoff(attempt: Int, jitter: Double) -> Duration {
        var delay = configuration.minBackoff
        var i = 1
        while i < attempt, delay < configuration.maxBackoff {
            delay *= 2
            i += 1
        }
        delay = Swift.min(delay, configuration.maxBackoff)
        let keep = 1 - configuration.backoffJitter * Swift.min(Swift.max(jitter, 0), 1)
        return delay * keep
    }

    private mutating func finishBatch() {
        inFlight = nil
        attempt = 0
        retryAt = nil
    }
}

extension RemoteWriteShardStateMachine: Sendable where Element: Sendable, Instant: Sendable {}
extension RemoteWriteShardStateMachine.Action: Sendable where Element: Sendable, Instant: Sendable {}
extension RemoteWriteShardStateMachine.State: Sendable where Instant: Sendable {}
