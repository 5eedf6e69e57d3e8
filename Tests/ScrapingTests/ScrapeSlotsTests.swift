import NIOCore
import NIOPosix
import Testing
@testable import Scraping

/// The in-flight bound: a free slot is taken at once, a released one goes to the oldest waiter, and a waiter that
/// gets none by its deadline is told so there and then, with no release needed. The deadlines that must not pass are
/// 300 s (a full parallel run once starved a test task past 30 s); the ones that must pass are short, and the bounds
/// on how late a waiter hears loose.
@Suite struct ScrapeSlotsTests {
    private let loop = MultiThreadedEventLoopGroup.singleton.next()

    private func deadline(_ seconds: Double) -> NIODeadline { .now() + .milliseconds(Int64(seconds * 1000)) }

    @Test func aReleasedSlotGoesToTheOldestWaiter() async throws {
        let slots = ScrapeSlots(limit: 1, group: MultiThreadedEventLoopGroup.singleton)
        #expect(try await slots.acquire(by: deadline(300), on: loop).get())
        let first = slots.acquire(by: deadline(300), on: loop)
        let second = slots.acquire(by: deadline(300), on: loop)
        #expect(slots.waiting == 2)
        slots.release()
        #expect(try await first.get())
        #expect(slots.waiting == 1)
        slots.release()
        #expect(try await second.get())
        slots.release()
        // All free again: the next one is taken at once.
        #expect(try await slots.acquire(by: deadline(300), on: loop).get())
        #expect(slots.waiting == 0)
    }

    @Test func waitersGiveUpAtTheirDeadlineWithoutARelease() async throws {
        let slots = ScrapeSlots(limit: 1, group: MultiThreadedEventLoopGroup.singleton)
        #expect(try await slots.acquire(by: deadline(300), on: loop).get())
        let started = ContinuousClock.now
        // Three waiters, one timer: each is told no at its own deadline.
        let waiters = [0.2, 0.3, 0.4].map { slots.acquire(by: deadline($0), on: loop) }
        for waiter in waiters { #expect(try await waiter.get() == false) }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(350), "a waiter gave up before its deadline")
        #expect(elapsed < .seconds(10))
        #expect(slots.waiting == 0)
        // The slot still held is the only one: a release frees it for the next caller.
        slots.release()
        #expect(try await slots.acquire(by: deadline(300), on: loop).get())
    }

    @Test func aWaiterBehindOnesThatGaveUpStillGetsTheSlot() async throws {
        let slots = ScrapeSlots(limit: 1, group: MultiThreadedEventLoopGroup.singleton)
        #expect(try await slots.acquire(by: deadline(300), on: loop).get())
        let early = slots.acquire(by: deadline(0.1), on: loop)
        let late = slots.acquire(by: deadline(300), on: loop)
        #expect(try await early.get() == false)
        slots.release()
        #expect(try await late.get())
    }
}
