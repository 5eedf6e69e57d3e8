/// The stable- and panic-window values of one metric at one moment (revision totals).
public struct Observation: Sendable, Equatable {
    /// Average over the stable window.
    public var stable: Double
    /// Average over the panic window.
    public var panic: Double

    public init(stable: Double, panic: Double) {
        self.stable = stable
        self.panic = panic
    }
}
