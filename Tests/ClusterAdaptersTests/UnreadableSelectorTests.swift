import AutoscalerCore
import Testing
@testable import ClusterAdapters

/// A workload whose pod selector inferscale cannot match is never scaled: matching nothing would read as no load
/// and scale it down, matching too much would read other pods' load. The `/scale` subresource prints selectors
/// as text (`status.selector`); set-based clauses (`in`, `notin`) and an empty selector are not understood.
@Suite struct UnreadableSelectorTests {
    @Test(arguments: ["", "app in (web,api)", "app=web,tier notin (canary)", "app"])
    func anUnreadableSelectorSkipsTheTarget(selector: String) {
        let control = KubernetesDiscovery.combine(.owned, owners: [], workload: "web", kind: .deployment, selector: selector)
        guard case .skipped(let reason) = control else {
            Issue.record("\"\(selector)\" gave \(control)")
            return
        }
        #expect(reason.contains("pod selector \"\(selector)\""))
        #expect(reason.contains("equality selectors only"))
    }

    @Test func equalitySelectorsKeepTheVerdict() {
        for selector in ["app=web", "app==web,tier!=canary"] {
            #expect(KubernetesDiscovery.combine(.owned, owners: [], workload: "web", kind: .deployment, selector: selector) == .owned)
            #expect(KubernetesDiscovery.combine(.paused(holdAt: 2), owners: [], workload: "web", kind: .deployment, selector: selector) == .paused(holdAt: 2))
        }
    }
}
