import Testing
@testable import AutoscalerCore
import Scaling

/// The inbox hands finished scrapes to the loop's actor: one delivery for all that arrive while one is under way,
/// in the order they arrived.
@Suite struct ScrapeInboxTests {
    private func finished(_ key: String, round: Int) -> ScrapeInbox.Finished {
        .init(key: key, round: round, time: Timestamp(seconds: Int64(round)), signals: CollectedSignals(sample: SignalSample()),
              seconds: 0.01, cancelled: false)
    }

    @Test func onlyTheFirstResultOfABatchDelivers() {
        let inbox = ScrapeInbox()
        #expect(inbox.add(finished("a", round: 1)))
        #expect(!inbox.add(finished("b", round: 1)))
        #expect(!inbox.add(finished("c", round: 2)))
        let batch = inbox.take()
        #expect(batch.map(\.key) == ["a", "b", "c"])
        #expect(batch.map(\.time) == [Timestamp(seconds: 1), Timestamp(seconds: 1), Timestamp(seconds: 2)])
        #expect(inbox.take().isEmpty)
        // After a take, the next result starts a new delivery.
        #expect(inbox.add(finished("d", round: 3)))
        #expect(inbox.take().map(\.key) == ["d"])
    }

    /// Results added from many tasks at once: each delivery takes what came before it, and nothing is lost or
    /// delivered twice.
    @Test func concurrentResultsAreEachDeliveredOnce() async {
        let inbox = ScrapeInbox()
        let delivered = await withTaskGroup(of: [String].self) { group in
            for i in 0..<500 {
                group.addTask { inbox.add(self.finished("t\(i)", round: 1)) ? inbox.take().map(\.key) : [] }
            }
            var all: [String] = []
            for await keys in group { all += keys }
            return all + inbox.take().map(\.key)
        }
        #expect(delivered.count == 500)
        #expect(Set(delivered).count == 500)
    }
}
