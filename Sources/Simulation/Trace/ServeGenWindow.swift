/// One 600 s window of one ServeGen client: a row of its `chunk-<client>-trace.csv`.
public struct ServeGenWindow: Sendable, Equatable {
    /// Window start, seconds on the data set's time axis (0 is its first window).
    public var start: Double
    /// Mean arrival rate over the window, requests per second.
    public var rate: Double
    /// Coefficient of variation of the inter-arrival times (kept for reports; the fit carries
    /// the shape the draws use).
    public var cv: Double
    /// The fitted inter-arrival distribution.
    public var fit: InterArrivalFit

    public init(start: Double, rate: Double, cv: Double, fit: InterArrivalFit) {
        self.start = start
        self.rate = rate
        self.cv = cv
        self.fit = fit
    }
}
