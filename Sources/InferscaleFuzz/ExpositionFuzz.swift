import Exposition

/// A parser is reused across scrapes with its interned strings; what it returns must not depend
/// on what it parsed before. Each input goes to a fresh parser and to one that has seen every
/// earlier input, and the two answers (families, or the error) must be equal.
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
    }
}
