import Foundation
import Testing

@testable import Kubernetes

/// The members Lease: entries expire on the reader's clock, from when it first saw them unchanged.
@Suite struct ShardRosterTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func lease(_ entries: [String: String]) -> Lease {
        var lease = Lease(metadata: ObjectMeta(name: "inferscale-members", namespace: "ns", resourceVersion: "1"), spec: LeaseSpec())
        let body = try! JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys])
        lease.metadata.annotations = [ShardRoster.annotation: String(decoding: body, as: UTF8.self)]
        return lease
    }

    @Test func membersExpireWhenTheirEntryStopsChanging() {
        var roster = ShardRoster(identity: "a", leaseDuration: 15)
        #expect(roster.live(now: t0) == ["a"])
        // b's clock is far off: only changes count, on a's clock.
        roster.observe(lease(["b": "1999-01-01T00:00:00.000000Z"]), now: t0)
        #expect(roster.live(now: t0.addingTimeInterval(14)) == ["a", "b"])
        roster.observe(lease(["b": "1999-01-01T00:00:02.000000Z"]), now: t0.addingTimeInterval(10))
        #expect(roster.live(now: t0.addingTimeInterval(24)) == ["a", "b"])
        roster.observe(lease(["b": "1999-01-01T00:00:02.000000Z"]), now: t0.addingTimeInterval(24))
        #expect(roster.live(now: t0.addingTimeInterval(25)) == ["a"])
    }

    @Test func renewingWritesOwnEntryAndDropsTheGone() {
        var roster = ShardRoster(identity: "a", leaseDuration: 15)
        roster.observe(lease(["b": "x", "c": "y"]), now: t0)
        roster.observe(lease(["b": "x2", "c": "y"]), now: t0.addingTimeInterval(16))
        let written = roster.renewed(lease(["b": "x2", "c": "y"]), now: t0.addingTimeInterval(16))
        let entries = ShardRoster.entries(of: written)
        #expect(Set(entries.keys) == ["a", "b"])
        #expect(entries["a"] == KubernetesTime.formatMicroTime(t0.addingTimeInterval(16)))
        #expect(written.metadata.resourceVersion == "1", "the update is guarded by the version read")
        let leaving = roster.renewed(written, now: t0.addingTimeInterval(17), leaving: true)
        #expect(Set(ShardRoster.entries(of: leaving).keys) == ["b"])
    }

    @Test func anUnreadableAnnotationIsNoMembers() {
        var lease = lease([:])
        lease.metadata.annotations = [ShardRoster.annotation: "not json"]
        var roster = ShardRoster(identity: "a", leaseDuration: 15)
        roster.observe(lease, now: t0)
        #expect(roster.live(now: t0) == ["a"])
    }
}
