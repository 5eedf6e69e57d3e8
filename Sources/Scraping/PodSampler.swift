/// Chooses which pods to scrape: Knative's sample size from a shuffled list (all pods up to
/// 3, then `ceil(N·X/(N+X−1))` with X = 15.3664, at most 16), or every pod.
enum PodSampler {
    static func sampleSize(_ n: Int) -> Int {
        guard n > 3 else { return max(0, n) }
        let x = 15.3664
        return Int((Double(n) * x / (Double(n) + x - 1)).rounded(.up))
    }

    static func choose<T>(_ pods: [T], sampling: ScraperConfiguration.Sampling, using rng: inout some RandomNumberGenerator) -> [T] {
        switch sampling {
        case .all: return pods
        case .knative:
            let n = sampleSize(pods.count)
            return n >= pods.count ? pods : Array(pods.shuffled(using: &rng).prefix(n))
        }
    }
}
