import Foundation

/// A small seeded generator (SplitMix64) so the same trace, rules and seed give the same
/// report on every run and every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    public mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }

    /// Log-normal with the given mean and coefficient of variation (0: always the mean).
    public mutating func logNormal(mean: Double, cv: Double) -> Double {
        guard cv > 0, mean > 0 else { return mean }
        let sigma2 = log(1 + cv * cv)
        let mu = log(mean) - sigma2 / 2
        // Box–Muller.
        let z = sqrt(-2 * log(unit())) * cos(2 * Double.pi * unit())
        return exp(mu + sqrt(sigma2) * z)
    }

    /// The least value `logNormal(mean:cv:)` can return, for bounds that must hold for every
    /// draw: `unit()` is at least 2⁻⁵⁴, so the Box–Muller normal is at least
    /// −√(−2 ln 2⁻⁵⁴) ≈ −8.65 (the cosine at least −1). A relative margin of 10⁻⁹ covers the
    /// rounding of `exp` and `log`.
    public static func leastLogNormal(mean: Double, cv: Double) -> Double {
        guard cv > 0, mean > 0 else { return max(0, mean) }
        let sigma2 = log(1 + cv * cv)
        let mu = log(mean) - sigma2 / 2
        let lowestZ = -sqrt(-2 * log(0.5 / Double(1 << 53)))
        return exp(mu + sqrt(sigma2) * lowestZ) * (1 - 1e-9)
    }
}
