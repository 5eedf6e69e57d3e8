/// Makes pods of the fleet hostile: 1 % of the pods, one per target hit (half answer at 2.9 s, half drip-feed for
/// 10 s), or with `wholeTargets` that many whole targets spread evenly over the fleet (both pods of each: late,
/// dripping, late, …). Returns the targets with a hostile pod.
enum FleetHostility {
    static func apply(to pods: FleetPodServers, targets n: Int, hostile: Bool, wholeTargets: Int?) -> Set<Int> {
        guard hostile else { return [] }
        var hostileTargets: Set<Int> = []
        if let wanted = wholeTargets, wanted > 0 {
            let whole = min(wanted, n)
            for k in 0..<whole {
                let t = k * n / whole + n / (2 * whole)
                pods.send(k % 2 == 0 ? "delay" : "drip", [2 * t, 2 * t + 1], k % 2 == 0 ? 2.9 : 10)
                hostileTargets.insert(t)
            }
        } else {
            for (k, pod) in stride(from: 50, to: 2 * n, by: 100).enumerated() {
                pods.send(k % 2 == 0 ? "delay" : "drip", [pod], k % 2 == 0 ? 2.9 : 10)
                hostileTargets.insert(pod / 2)
            }
        }
        return hostileTargets
    }
}
