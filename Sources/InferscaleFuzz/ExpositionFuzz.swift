import Exposition

/// A parser is reused across scrapes with its interned strings; what it returns must not depend
/// on what it parsed before. Each input goes to a fresh parser and to one that has seen every
/// earlier input, and the two answers (families, or the error) must be equal; likewise for a filtered parse.
enum ExpositionFuzz {
    nonisolated(unsafe) static var warm: [ExpositionFormat: ExpositionParser] = [:]

    static func run(_ bytes: [UInt8], format: ExpositionFormat) {
        var limits = ExpositionParser.Limits()
        limits.maxSamples = 10_000
        limits.maxRetainedStrings = 5_000
        var fresh = ExpositionParser(format: format, limits: limits)
        var reused = warm[format] ?? ExpositionParser(format: format, limits: limits)
        defer { warm[format] = reused }
        let a = Result { () throws(ExpositionError) in try fresh.parse(bytes).families }
        let b = Result { () throws(ExpositionError) in try reused.parse(bytes).families }
        switch (a, b) {
        case (.success(let x), .success(let y)):
            // NaN samples are never equal to themselves; their descriptions are.
            precondition(x == y || "\(x)" == "\(y)", "a reused parser read \(y.count) families where a fresh one read \(x.count)")
        case (.failure(let x), .failure(let y)):
            precondition(x == y, "a reused parser failed with \(y) where a fresh one failed with \(x)")
        default:
            preconditionFailure("a fresh and a reused parser disagree: \(a) versus \(b)")
        }
        filtered(bytes, full: a, format: format, limits: limits, reused: &reused)
    }

    /// A filtered parse (every other family of the body kept, or none when the body is invalid) skips the other
    /// families' sample lines by name: on a body the full parse accepts it keeps exactly the full parse's families,
    /// and a reused parser (which remembers per name what it worked out) answers as a fresh one does.
    private static func filtered(_ bytes: [UInt8], full: Result<[MetricFamily], ExpositionError>, format: ExpositionFormat,
                                 limits: ExpositionParser.Limits, reused: inout ExpositionParser) {
        let all = (try? full.get()) ?? []
        let names = all.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.name)
        let filter = FamilyFilter(names)
        var fresh = ExpositionParser(format: format, limits: limits)
        let a = Result { () throws(ExpositionError) in try fresh.parse(bytes, keeping: filter).families }
        let b = Result { () throws(ExpositionError) in try reused.parse(bytes, keeping: filter).families }
        switch (a, b) {
        case (.success(let x), .success(let y)):
            precondition(x == y || "\(x)" == "\(y)", "a reused parser kept \(y.count) families where a fresh one kept \(x.count)")
            if case .success = full {
                let kept = all.filter { names.contains($0.name) }
                precondition(x == kept || "\(x)" == "\(kept)", "a filtered parse kept \(x.count) families where the full parse has \(kept.count)")
            }
        case (.failure(let x), .failure(let y)):
            precondition(x == y, "a reused filtered parse failed with \(y) where a fresh one failed with \(x)")
            if case .success = full { preconditionFailure("a filtered parse failed with \(x) on a body the full parse accepts") }
        default:
            preconditionFailure("a fresh and a reused filtered parse disagree: \(a) versus \(b)")
        }
    }
}
