import NIOConcurrencyHelpers
import NIOCore

/// The bound on scrapes in flight, under a lock rather than on the scraper's actor: taking a free slot costs no hop,
/// no suspension and no timer, and a scrape that finds none waits in a FIFO queue until a slot is handed to it or its
/// wait budget passes (then it fails with `queue-timeout`). Every waiter's deadline is its arrival plus the same budget
/// (the scraper's slot wait, or its scrape deadline), so the queue is in deadline order and one timer, set for the
/// oldest waiter, expires them all; the old design paid a task, a timer and two actor hops per waiting scrape.
final class ScrapeSlots: Sendable {
    private struct Waiter {
        var deadline: NIODeadline
        var promise: EventLoopPromise<Bool>
    }

    private struct State {
        var free: Int
        /// Waiters from `head` on, oldest first.
        var queue: [Waiter] = []
        var head = 0
        /// Whether the expiry timer is set (for the oldest waiter's deadline, or earlier).
        var timerSet = false
        var waiting: Int { queue.count - head }

        mutating func popFirst() -> Waiter? {
            guard head < queue.count else { return nil }
            let first = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1_024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return first
        }
    }

    private let state: NIOLockedValueBox<State>
    private let group: any EventLoopGroup

    /// `limit` slots; waiters' promises and the expiry timer live on `group`'s loops.
    init(limit: Int, group: any EventLoopGroup) {
        state = NIOLockedValueBox(State(free: max(1, limit)))
        self.group = group
    }

    /// Takes a slot if one is free and no scrape waits for one; the caller then calls `release()` once.
    func tryAcquire() -> Bool {
        state.withLockedValue { state in
            guard state.free > 0 && state.waiting == 0 else { return false }
            state.free -= 1
            return true
        }
    }

    /// Takes a slot: a future on `loop` that is true once the slot is the caller's (at once when one is free), false
    /// when none was handed over by `deadline`. A caller given true calls `release()` once.
    func acquire(by deadline: NIODeadline, on loop: any EventLoop) -> EventLoopFuture<Bool> {
        enum Taken { case now, waiting(EventLoopPromise<Bool>, armTimer: Bool) }
        let taken: Taken = state.withLockedValue { state in
            if state.free > 0 && state.waiting == 0 {
                state.free -= 1
                return .now
            }
            let promise = loop.makePromise(of: Bool.self)
            state.queue.append(Waiter(deadline: deadline, promise: promise))
            let arm = !state.timerSet
            state.timerSet = true
            return .waiting(promise, armTimer: arm)
        }
        switch taken {
        case .now:
            return loop.makeSucceededFuture(true)
        case .waiting(let promise, let arm):
            if arm { armTimer(at: deadline) }
            return promise.futureResult
        }
    }

    /// Gives a slot back: to the oldest waiter still within its deadline, else to the free count.
    func release() {
        let (next, late): (Waiter?, [Waiter]) = state.withLockedValue { state in
            let now = NIODeadline.now()
            var late: [Waiter] = []
            while let waiter = state.popFirst() {
                if waiter.deadline > now { return (waiter, late) }
                // Past its deadline (its timer is about to fire): the slot would reach it too late to be of use.
                late.append(waiter)
            }
            state.free += 1
            return (nil, late)
        }
        // Outside the lock: a promise's callbacks may run here and take or give back a slot.
        for waiter in late { waiter.promise.succeed(false) }
        next?.promise.succeed(true)
    }

    /// Scrapes waiting for a slot now.
    var waiting: Int { state.withLockedValue { $0.waiting } }

    private func armTimer(at deadline: NIODeadline) {
        group.next().scheduleTask(deadline: deadline) { [weak self] in self?.expire() }
    }

    /// Fails the waiters whose deadline has passed and sets the timer for the oldest one left.
    private func expire() {
        let (expired, nextDeadline): ([Waiter], NIODeadline?) = state.withLockedValue { state in
            let now = NIODeadline.now()
            var expired: [Waiter] = []
            while state.head < state.queue.count, state.queue[state.head].deadline <= now, let waiter = state.popFirst() {
                expired.append(waiter)
            }
            let next = state.head < state.queue.count ? state.queue[state.head].deadline : nil
            state.timerSet = next != nil
            return (expired, next)
        }
        for waiter in expired { waiter.promise.succeed(false) }
        if let nextDeadline { armTimer(at: nextDeadline) }
    }
}
