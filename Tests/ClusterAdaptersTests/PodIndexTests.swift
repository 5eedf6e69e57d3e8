import Kubernetes
import Testing
@testable import ClusterAdapters

/// The label index selects exactly what a scan of every pod selects, and follows watch events one at a time.
@Suite struct PodIndexTests {
    private func pod(_ name: String, _ labels: [String: String], ready: Bool = true) -> Pod {
        Pod(metadata: ObjectMeta(name: name, labels: labels),
            status: PodStatus(phase: "Running", podIP: "10.0.0.\(name.count)",
                              conditions: [PodCondition(type: "Ready", status: ready ? "True" : "False")]))
    }

    private func update(_ change: PodSetUpdate.Change, _ all: [Pod] = []) -> PodSetUpdate {
        PodSetUpdate(change: change, objects: Dictionary(uniqueKeysWithValues: all.map { ($0.metadata.name!, $0) }))
    }

    /// What the index replaced: every pod checked against every clause.
    private func scan(_ pods: [Pod], _ selector: [(String, String, Bool)]) -> [String] {
        pods.filter { p in selector.allSatisfy { (p.metadata.labels?[$0.0] == $0.1) == $0.2 } }.map { $0.metadata.name! }.sorted()
    }

    @Test(arguments: ["app=m1", "app=m1,tier=gpu", "app=m1,tier!=gpu", "tier!=gpu", "app=none", "app=m2,tier=cpu", "", "a in (b)"])
    func selectsWhatAScanSelects(selector: String) {
        var pods: [Pod] = []
        for i in 0..<40 {
            var labels = ["app": "m\(i % 4)", "tier": i % 3 == 0 ? "gpu" : "cpu"]
            if i % 5 == 0 { labels["extra"] = "x" }
            pods.append(pod("p\(i)", labels))
        }
        var index = PodIndex()
        index.apply(update(.relisted, pods))
        let parsed = KubernetesDiscovery.parse(selector)
        #expect(index.matching(parsed).map(\.info.name) == scan(pods, parsed))
    }

    @Test func followsAddsChangesAndDeletes() {
        var index = PodIndex()
        index.apply(update(.relisted, [pod("a", ["app": "x"]), pod("b", ["app": "x"])]))
        let x = KubernetesDiscovery.parse("app=x")
        #expect(index.matching(x).map(\.info.name) == ["a", "b"])

        index.apply(update(.added(pod("c", ["app": "x"]))))
        #expect(index.matching(x).map(\.info.name) == ["a", "b", "c"])

        // A relabelled pod leaves its old label's set and joins the new one.
        index.apply(update(.modified(pod("a", ["app": "y"]))))
        #expect(index.matching(x).map(\.info.name) == ["b", "c"])
        #expect(index.matching(KubernetesDiscovery.parse("app=y")).map(\.info.name) == ["a"])

        // Readiness is taken from the event, not remembered from before.
        index.apply(update(.modified(pod("b", ["app": "x"], ready: false))))
        #expect(index.matching(x).map(\.info.ready) == [false, true])

        index.apply(update(.deleted(pod("c", ["app": "x"]))))
        #expect(index.matching(x).map(\.info.name) == ["b"])
        #expect(index.count == 2)

        // A relist forgets what the list no longer holds.
        index.apply(update(.relisted, [pod("d", ["app": "x"])]))
        #expect(index.matching(x).map(\.info.name) == ["d"])
        #expect(index.matching(KubernetesDiscovery.parse("app=y")).isEmpty)
    }
}
