extension ClairvoyantBound {
    /// The shortest of each target's first `draws` cold starts in a replay with `seed`, seconds,
    /// or nil when a replica could then be ready within a second of its creation (the argument
    /// needs every replica created before a serving one to live a whole tick in the span).
    ///
    /// It mirrors `ClusterModel`: target i draws from `SeededRandom(seed: seed + i)`, an LLM
    /// profile draws nothing before its first scale-up, and each replica added takes the next
    /// draw (`ClusterModel.scale`); the replicas there at the start take none.
    /// `ClairvoyantBoundTests.theDrawsAreTheModels` holds the two together.
    static func leastDrawnColdStart(seed: UInt64, targets: Int, draws: Int, mean: Double, cv: Double) -> Double? {
        var least = Double.infinity
        for t in 0..<max(1, targets) {
            var random = SeededRandom(seed: seed &+ UInt64(t))
            for _ in 0..<draws { least = min(least, random.logNormal(mean: mean, cv: cv)) }
        }
        // A relative margin for `readyAt − createdAt` against the draw itself.
        let margin = least * (1 - 1e-9)
        return margin >= 1 && margin.isFinite ? margin : nil
    }
}
