import Foundation

/// The draws the ServeGen arrival model needs beyond `unit()`. They return logarithms because
/// ServeGen's bursty fits have Gamma shapes near 0.02, whose draws underflow a `Double`.
extension SeededRandom {
    /// Standard normal (Box–Muller).
    public mutating func standardNormal() -> Double {
        sqrt(-2 * log(unit())) * cos(2 * Double.pi * unit())
    }

    /// The logarithm of a Gamma(shape, scale) draw; `shape` and `scale` > 0. Marsaglia and
    /// Tsang's method ("A simple method for generating gamma variables", 2000) for shape ≥ 1;
    /// below 1, Gamma(shape + 1) × U^(1/shape), kept in logarithms.
    public mutating func logGamma(shape: Double, scale: Double) -> Double {
        if shape < 1 {
            return logGamma(shape: shape + 1, scale: scale) + log(unit()) / shape
        }
        let d = shape - 1.0 / 3
        let c = 1 / sqrt(9 * d)
        while true {
            let x = standardNormal()
            let v = 1 + c * x
            guard v > 0 else { continue }
            let v3 = v * v * v
            if log(unit()) < 0.5 * x * x + d - d * v3 + d * log(v3) {
                return log(d * v3) + log(scale)
            }
        }
    }

    /// The logarithm of a Weibull(shape k, scale λ) draw, λ·(−ln U)^(1/k); both > 0.
    public mutating func logWeibull(shape: Double, scale: Double) -> Double {
        log(-log(unit())) / shape + log(scale)
    }
}
