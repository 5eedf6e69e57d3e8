import RemoteWrite
import Testing

@Suite struct ShardStateMachineTests {
    typealias Machine = RemoteWriteShardStateMachine<Int, ContinuousClock.Instant>
    let t0 = ContinuousClock.now

    func queue(capacity: Int = 10, maxPerSend: Int = 3) -> RemoteWriteConfiguration.Queue {
        var q = RemoteWriteConfiguration.Queue()
        q.capacity = capacity
        q.maxSamplesPerSend = maxPerSend
        q.batchSendDeadline = .seconds(5)
        q.minBackoff = .milliseconds(30)
        q.maxBackoff = .seconds(5)
        q.flushTimeout = .seconds(2)
        return q
    }

    func at(_ ms: Int) -> ContinuousClock.Instant { t0.advanced(by: .milliseconds(ms)) }

    func expectSend(_ action: Machine.Action, _ batch: [Int], sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .send(let got) = action else {
            Issue.record("expected send(\(batch)), got \(action)", sourceLocation: sourceLocation)
            return
        }
        #expect(got == batch, sourceLocation: sourceLocation)
    }

    func expectWait(_ action: Machine.Action, until: ContinuousClock.Instant?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .wait(let got) = action else {
            Issue.record("expected wait(until: \(String(describing: until))), got \(action)", sourceLocation: sourceLocation)
            return
        }
        #expect(got == until, sourceLocation: sourceLocation)
    }

    @Test func fullBatchIsSentAtOnce() {
        var m = Machine(configuration: queue())
        #expect(m.append(1, now: at(0)) == .wakeDriver)  // first sample: arm the deadline
        #expect(m.append(2, now: at(1)) == .none)
        #expect(m.append(3, now: at(2)) == .wakeDriver)  // batch full
        #expect(m.append(4, now: at(3)) == .none)
        expectSend(m.nextAction(now: at(3)), [1, 2, 3])
        #expect(m.queueLength == 4)
        m.sendCompleted(.success, now: at(10), jitter: 0)
        #expect(m.counters.sent == 3)
        // 4 waits for the deadline, restarted when the batch was taken.
        expectWait(m.nextAction(now: at(10)), until: at(3 + 5_000))
    }

    @Test func partialBatchIsSentAtTheDeadline() {
        var m = Machine(configuration: queue())
        expectWait(m.nextAction(now: at(0)), until: nil)
        _ = m.append(7, now: at(100))
        expectWait(m.nextAction(now: at(100)), until: at(5_100))
        expectWait(m.nextAction(now: at(5_099)), until: at(5_100))
        expectSend(m.nextAction(now: at(5_100)), [7])
    }

    @Test func serverErrorsRetryTheSameBatchWithDoublingBackoffUpToTheMax() {
        var m = Machine(configuration: queue())
        for i in 1...3 { _ = m.append(i, now: at(0)) }
        _ = m.append(4, now: at(0))
        var now = 0
        var delays: [Duration] = []
        expectSend(m.nextAction(now: at(now)), [1, 2, 3])
        for _ in 0..<10 {
            m.sendCompleted(.retryable(reason: "HTTP 503"), now: at(now), jitter: 0)
            guard case .wait(let until?) = m.nextAction(now: at(now)) else {
                Issue.record("expected a timed wait")
                return
            }
            delays.append(at(now).duration(to: until))
            now += Int(delays.last!.components.seconds * 1_000 + delays.last!.components.attoseconds / 1_000_000_000_000_000)
            expectSend(m.nextAction(now: at(now)), [1, 2, 3])  // the same batch, before sample 4
        }
        #expect(delays == [30, 60, 120, 240, 480, 960, 1_920, 3_840, 5_000, 5_000].map { Duration.milliseconds($0) })
        m.sendCompleted(.success, now: at(now), jitter: 0)
        #expect(m.counters.retried == 30)
        #expect(m.counters.sent == 3)
        expectSend(m.nextAction(now: at(now + 5_000)), [4])
    }

    @Test func jitterShortensTheDelayWithinTheConfiguredFraction() {
        var q = queue()
        q.backoffJitter = 0.5
        let m = Machine(configuration: q)
        #expect(m.backoff(attempt: 3, jitter: 0) == .milliseconds(120))
        #expect(m.backoff(attempt: 3, jitter: 0.5) == .milliseconds(90))
        #expect(m.backoff(attempt: 3, jitter: 0.999_999) > .milliseconds(60))
    }

    @Test func tooManyRequestsWaitsForRetryAfterCappedByMaxRetryAfter() {
        var q = queue()
        q.maxRetryAfter = .seconds(60)
        var m = Machine(configuration: q)
        for i in 1...3 { _ = m.append(i, now: at(0)) }
        expectSend(m.nextAction(now: at(0)), [1, 2, 3])
        m.sendCompleted(.rateLimited(retryAfter: .seconds(7)), now: at(0), jitter: 0)
        expectWait(m.nextAction(now: at(0)), until: at(7_000))
        expectSend(m.nextAction(now: at(7_000)), [1, 2, 3])
        m.sendCompleted(.rateLimited(retryAfter: .seconds(3_600)), now: at(7_000), jitter: 0)
        expectWait(m.nextAction(now: at(7_000)), until: at(67_000))
        expectSend(m.nextAction(now: at(67_000)), [1, 2, 3])
        m.sendCompleted(.rateLimited(retryAfter: nil), now: at(67_000), jitter: 0)
        expectWait(m.nextAction(now: at(67_000)), until: at(67_000 + 120))  // third attempt: backoff
        #expect(m.counters.retried == 9)
    }

    @Test func tooManyRequestsIsAFailureWhenRetryOnRateLimitIsOff() {
        var q = queue()
        q.retryOnRateLimit = false
        var m = Machine(configuration: q)
        for i in 1...3 { _ = m.append(i, now: at(0)) }
        expectSend(m.nextAction(now: at(0)), [1, 2, 3])
        m.sendCompleted(.rateLimited(retryAfter: .seconds(1)), now: at(0), jitter: 0)
        #expect(m.counters.failed == 3)
        #expect(m.queueLength == 0)
    }

    @Test(arguments: [400, 401, 404, 413])
    func otherClientErrorsDropTheBatchWithoutRetry(status: Int) {
        var m = Machine(configuration: queue())
        for i in 1...4 { _ = m.append(i, now: at(0)) }
        expectSend(m.nextAction(now: at(0)), [1, 2, 3])
        m.sendCompleted(SendOutcome(status: status), now: at(1), jitter: 0)
        #expect(m.counters.failed == 3)
        #expect(m.counters.retried == 0)
        expectWait(m.nextAction(now: at(1)), until: at(5_000))  // on to sample 4 (deadline restarted when the batch was taken), not the old batch
    }

    @Test func overflowIsCountedAndNeverExceedsCapacity() {
        var m = Machine(configuration: queue(capacity: 5, maxPerSend: 3))
        var dropped = 0
        for i in 0..<12 where m.append(i, now: at(0)) == .dropped { dropped += 1 }
        #expect(dropped == 7)
        #expect(m.counters.dropped == 7)
        #expect(m.queueLength == 5)
        expectSend(m.nextAction(now: at(0)), [0, 1, 2])
        m.sendCompleted(.retryable(reason: "connection refused"), now: at(0), jitter: 0)
        #expect(m.append(99, now: at(1)) == .dropped, "the batch being retried still counts against capacity")
        #expect(m.queueLength == 5)
    }

    @Test func shutdownFlushesWithoutWaitingForTheDeadlineThenFinishes() {
        var m = Machine(configuration: queue())
        for i in 1...4 { _ = m.append(i, now: at(0)) }
        m.beginShutdown(now: at(0))
        expectSend(m.nextAction(now: at(0)), [1, 2, 3])
        m.sendCompleted(.success, now: at(10), jitter: 0)
        expectSend(m.nextAction(now: at(10)), [4])
        m.sendCompleted(.success, now: at(20), jitter: 0)
        guard case .finished = m.nextAction(now: at(20)) else { Issue.record("expected finished"); return }
        #expect(m.counters.sent == 4)
        #expect(m.append(5, now: at(21)) == .dropped)
    }

    @Test func shutdownGivesUpAtTheFlushDeadlineAndCountsWhatIsLeft() {
        var m = Machine(configuration: queue())
        for i in 1...5 { _ = m.append(i, now: at(0)) }
        expectSend(m.nextAction(now: at(0)), [1, 2, 3])
        m.sendCompleted(.retryable(reason: "HTTP 500"), now: at(0), jitter: 0)
        m.beginShutdown(now: at(0))  // flush deadline at 2 s
        expectWait(m.nextAction(now: at(0)), until: at(30))
        expectSend(m.nextAction(now: at(30)), [1, 2, 3])
        m.sendCompleted(.retryable(reason: "HTTP 500"), now: at(1_990), jitter: 0)
        expectWait(m.nextAction(now: at(1_990)), until: at(2_000))  // retry time capped by the flush deadline
        guard case .finished = m.nextAction(now: at(2_000)) else { Issue.record("expected finished"); return }
        #expect(m.counters.failed == 3)
        #expect(m.counters.dropped == 2)
        #expect(m.counters.retried == 6)
        #expect(m.queueLength == 0)
    }

    @Test func abandonCountsEverythingHeldAsDropped() {
        var m = Machine(configuration: queue())
        for i in 1...4 { _ = m.append(i, now: at(0)) }
        expectSend(m.nextAction(now: at(0)), [1, 2, 3])
        m.sendCompleted(.retryable(reason: "x"), now: at(0), jitter: 0)
        m.abandon()
        #expect(m.counters.dropped == 4)
        #expect(m.isFinished)
    }

    @Test(arguments: [(200, SendOutcome.success), (204, .success), (429, .rateLimited(retryAfter: nil)),
                      (500, .retryable(reason: "HTTP 500")), (503, .retryable(reason: "HTTP 503")), (400, .rejected(status: 400)),
                      (415, .rejected(status: 415))])
    func statusClassification(status: Int, outcome: SendOutcome) {
        #expect(SendOutcome(status: status) == outcome)
    }
}

@Suite struct ProtocolNegotiationTests {
    @Test func v2ReceiverKeepsV2() {
        var n = ProtocolNegotiationStateMachine(preferred: .v2)
        #expect(n.responseReceived(sentAs: .v2, status: 204, hasWrittenCountHeaders: true) == .accept)
        #expect(n.responseReceived(sentAs: .v2, status: 400, hasWrittenCountHeaders: false) == .accept)
        #expect(n.responseReceived(sentAs: .v2, status: 503, hasWrittenCountHeaders: false) == .accept)
        #expect(n.version == .v2)
    }

    @Test(arguments: [(415, true), (415, false), (200, false), (204, false)])
    func fallsBackForGoodOn415OrSuccessWithoutWrittenCounts(status: Int, headers: Bool) {
        var n = ProtocolNegotiationStateMachine(preferred: .v2)
        #expect(n.responseReceived(sentAs: .v2, status: status, hasWrittenCountHeaders: headers) == .resendAsV1)
        #expect(n.version == .v1)
        #expect(n.responseReceived(sentAs: .v1, status: 204, hasWrittenCountHeaders: false) == .accept)
        #expect(n.version == .v1)
    }

    @Test func v1ResponsesNeverInferAnything() {
        var n = ProtocolNegotiationStateMachine(preferred: .v1)
        #expect(n.responseReceived(sentAs: .v1, status: 415, hasWrittenCountHeaders: false) == .accept)
        #expect(n.version == .v1)
        #expect(n.fallbacks == 0)
    }
}
