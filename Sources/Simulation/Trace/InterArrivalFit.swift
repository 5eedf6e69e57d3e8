import Foundation

/// The inter-arrival distribution ServeGen fitted to one client's 600 s window (the fourth to
/// sixth columns of a `chunk-<client>-trace.csv` row). The parameters follow ServeGen's own
/// sampler (alibaba/ServeGen `servegen/construct.py`, `_sample_iats`): Gamma is scipy's
/// `gamma(a: shape, scale: scale)`, Weibull is `weibull_min(c: shape, scale: scale)`, so the
/// mean gap is shape × scale and scale × Γ(1 + 1/shape).
public enum InterArrivalFit: Sendable, Equatable {
    case gamma(shape: Double, scale: Double)
    case weibull(shape: Double, scale: Double)
    /// Named in the format but absent from the released files; ServeGen's sampler has no branch
    /// for it. Its gaps are exponential: within a window, a Poisson process.
    case exponential
    /// No fit (the column is empty): ServeGen leaves the window out; here a Poisson process at
    /// the row's mean rate (which is 0 in every released file).
    case unfitted

    /// The column's spelling in the files.
    public var name: String {
        switch self {
        case .gamma: "Gamma"
        case .weibull: "Weibull"
        case .exponential: "Exponential"
        case .unfitted: ""
        }
    }

    /// The logarithm of one gap's draw (seconds, before the window rescales the gaps).
    func logGap(using random: inout SeededRandom) -> Double {
        switch self {
        case let .gamma(shape, scale): random.logGamma(shape: shape, scale: scale)
        case let .weibull(shape, scale): random.logWeibull(shape: shape, scale: scale)
        case .exponential, .unfitted: log(-log(random.unit()))
        }
    }
}
