import ClusterAdapters
import Foundation
import Kubernetes

/// What one discovery pass costs in matching pods to targets: `PodIndex` (by label) against the scan of every
/// pod for every target that discovery did before (the baseline, same pods, same selectors, same run), at
/// 1,000 and 10,000 targets × 2 pods in one namespace.
func runPodMatchingBenchmark() {
    for targets in [1_000, 10_000] {
        var pods: [String: Pod] = [:]
        for t in 0..<targets {
            for p in 0..<2 {
                let name = "m\(t)-\(p)"
                pods[name] = Pod(metadata: ObjectMeta(name: name, labels: ["app": "m\(t)", "pod-template-hash": "abc\(t % 7)"]),
                                 status: PodStatus(phase: "Running", podIP: "10.0.\(t / 250).\(t % 250)",
                                                   conditions: [PodCondition(type: "Ready", status: "True")]))
            }
        }
        let selectors = (0..<targets).map { KubernetesDiscovery.parse("app=m\($0)") }
        var index = PodIndex()
        index.apply(PodSetUpdate(change: .relisted, objects: pods))

        var found = 0
        let clock = ContinuousClock()
        let passes = targets >= 10_000 ? 3 : 10
        let indexed = clock.measure {
            for _ in 0..<passes { for s in selectors { found &+= index.matching(s).count } }
        }
        // The baseline scans fewer passes at 10,000 targets (it is quadratic); per pass it is the same work.
        let scanPasses = targets >= 10_000 ? 1 : 3
        let scanned = clock.measure {
            for _ in 0..<scanPasses {
                for s in selectors {
                    found &+= pods.values.filter { pod in s.allSatisfy { (pod.metadata.labels?[$0.0] == $0.1) == $0.2 } }
                        .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.count
                }
            }
        }
        let perPass = indexed.benchSeconds / Double(passes)
        let scanPerPass = scanned.benchSeconds / Double(scanPasses)
        print("pod matching: \(targets) targets × 2 pods, one discovery pass: index \(format1(perPass * 1000)) ms (\(format1(perPass / Double(targets) * 1e6)) µs per target), scan of every pod \(format1(scanPerPass * 1000)) ms; \(format1(scanPerPass / perPass))× faster (\(found) matches)")
    }
}
