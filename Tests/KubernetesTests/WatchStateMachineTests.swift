import Testing

@testable import Kubernetes

@Suite struct WatchStateMachineTests {
    let backoff = Backoff(initialSeconds: 1, maximumSeconds: 8, jitterFraction: 0.5)

    @Test func listsThenWatchesFromTheListVersion() {
        var machine = WatchStateMachine(backoff: backoff)
        #expect(machine.start() == .list)
        #expect(machine.start() == .none)
        #expect(machine.listed(resourceVersion: "100") == .startWatch(from: "100"))
        #expect(machine.resourceVersion == "100")
    }

    @Test func eventsAdvanceTheVersionAndAResumedWatchStartsFromTheLastOne() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.received(.added, resourceVersion: "101") == .deliver)
        #expect(machine.received(.modified, resourceVersion: "105") == .deliver)
        #expect(machine.received(.deleted, resourceVersion: "107") == .deliver)
        #expect(machine.streamEnded(jitter: 0) == .startWatch(from: "107"))
    }

    @Test func bookmarkAdvancesTheVersionWithoutDelivering() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.received(.bookmark, resourceVersion: "250") == .none)
        #expect(machine.resourceVersion == "250")
        #expect(machine.streamEnded(jitter: 0) == .startWatch(from: "250"))
    }

    @Test func expiredErrorEventLeadsToAFreshList() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        _ = machine.received(.added, resourceVersion: "150")
        #expect(machine.received(.error, resourceVersion: nil, errorCode: 410) == .list)
        #expect(machine.resourceVersion == nil)
        #expect(machine.listed(resourceVersion: "300") == .startWatch(from: "300"))
    }

    @Test func goneLeadsToAFreshList() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.gone() == .list)
        #expect(machine.state == .listing)
    }

    @Test func otherErrorEventsListAtOnceThenBackOffWhenRepeated() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.received(.error, resourceVersion: nil, errorCode: 500) == .list)
        #expect(machine.listed(resourceVersion: "101") == .startWatch(from: "101"))
        // No event was delivered in between: the second ERROR backs off before the next list.
        #expect(machine.received(.error, resourceVersion: nil, errorCode: 500, jitter: 0) == .backoff(seconds: 2))
        #expect(machine.backoffElapsed() == .list)
        #expect(machine.listed(resourceVersion: "102") == .startWatch(from: "102"))
        // Progress resets the count: the next ERROR lists at once again.
        #expect(machine.received(.modified, resourceVersion: "103") == .deliver)
        #expect(machine.received(.error, resourceVersion: nil, errorCode: 500) == .list)
    }

    @Test func repeatedExpiryRightAfterEachListBacksOff() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.received(.error, resourceVersion: nil, errorCode: 410) == .list)
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.received(.error, resourceVersion: nil, errorCode: 410, jitter: 0) == .backoff(seconds: 2))
        #expect(machine.backoffElapsed() == .list)
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.received(.error, resourceVersion: nil, errorCode: 410, jitter: 0) == .backoff(seconds: 4))
    }

    @Test func failuresBackOffExponentiallyWithJitterAndCap() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        #expect(machine.failed(jitter: 0) == .backoff(seconds: 1))
        #expect(machine.backoffElapsed() == .list)
        #expect(machine.failed(jitter: 1) == .backoff(seconds: 3))  // 2 s + 50 % jitter
        #expect(machine.backoffElapsed() == .list)
        #expect(machine.failed(jitter: 0) == .backoff(seconds: 4))
        _ = machine.backoffElapsed()
        #expect(machine.failed(jitter: 0) == .backoff(seconds: 8))
        _ = machine.backoffElapsed()
        #expect(machine.failed(jitter: 0) == .backoff(seconds: 8))  // capped
        _ = machine.backoffElapsed()
        #expect(machine.listed(resourceVersion: "9") == .startWatch(from: "9"))
        #expect(machine.consecutiveFailures == 5)  // a list alone is not progress
        #expect(machine.received(.bookmark, resourceVersion: "10") == .none)
        #expect(machine.consecutiveFailures == 0)
    }

    @Test func aWatchFailureResumesFromTheLastVersionAfterBackoff() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        _ = machine.received(.added, resourceVersion: "120")
        #expect(machine.failed(jitter: 0) == .backoff(seconds: 1))
        #expect(machine.backoffElapsed() == .startWatch(from: "120"))
    }

    @Test func emptyStreamsCountAsFailuresSoClosingAtOnceIsNotAHotLoop() {
        var machine = WatchStateMachine(backoff: backoff)
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.streamEnded(jitter: 0) == .backoff(seconds: 1))
        #expect(machine.backoffElapsed() == .startWatch(from: "100"))
        #expect(machine.streamEnded(jitter: 0) == .backoff(seconds: 2))
        #expect(machine.backoffElapsed() == .startWatch(from: "100"))
        #expect(machine.received(.modified, resourceVersion: "101") == .deliver)
        #expect(machine.streamEnded(jitter: 0) == .startWatch(from: "101"))
    }

    @Test func eventsOutOfStateAreIgnoredAndStopIsFinal() {
        var machine = WatchStateMachine(backoff: backoff)
        #expect(machine.received(.added, resourceVersion: "5") == .none)
        #expect(machine.listed(resourceVersion: "5") == .none)
        _ = machine.start()
        #expect(machine.stop() == .stop)
        #expect(machine.gone() == .none)
        #expect(machine.failed(jitter: 0) == .none)
        #expect(machine.backoffElapsed() == .none)
    }

    @Test func backoffDelays() {
        let policy = Backoff(initialSeconds: 0.5, maximumSeconds: 30, jitterFraction: 0.2)
        #expect(policy.delay(failures: 1, jitter: 0) == 0.5)
        #expect(policy.delay(failures: 3, jitter: 0) == 2)
        #expect(policy.delay(failures: 100, jitter: 0) == 30)
        #expect(policy.delay(failures: 100, jitter: 0.5) == 33)
        #expect(policy.delay(failures: 1, jitter: 7) == 0.6)  // jitter clamped to 1
    }
}
