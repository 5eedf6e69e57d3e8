/// Strict number parsing straight from bytes, without building a `String` for the common cases.
///
/// Accepted: an optional sign, decimal digits with an optional point and exponent (`1`, `-0.5`, `.5`,
/// `1.5e3`, `0001.2e-1`), and where allowed `Inf`/`Infinity`/`NaN` in any letter case. Rejected: hex
/// floats, underscores, `0x`/`0b`/`0o` prefixes, surrounding spaces.
enum NumberParser {
    /// How infinities and NaN may be written.
    enum Specials {
        /// Only decimal numbers (timestamps).
        case none
        /// `Inf`, `+Inf`, `-Inf`, `Infinity`, `NaN` in any letter case (sample values).
        case any
        /// Only `+Inf` and `-Inf`, spelled so, and no NaN (OpenMetrics `le` and `quantile` labels).
        case canonicalInfinity
    }

    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of `count` bytes at `start`, or `nil` when they are not a number in the accepted notation.
    static func parseDouble(_ start: UnsafePointer<UInt8>, _ count: Int, specials: Specials) -> Double? {
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        let first = start[0]
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        let lead = start[index]
        if lead != UInt8(ascii: ".") && (lead < UInt8(ascii: "0") || lead > UInt8(ascii: "9")) {
            return parseSpecial(start, count, signed: index == 1, negative: negative, specials: specials)
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var digits = 0
        var fractionDigits = 0
        while index < count, start[index] &- UInt8(ascii: "0") < 10 {
            let digit = UInt64(start[index] &- UInt8(ascii: "0"))
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ digit
                if mantissa != 0 { significantDigits += 1 }
            } else {
                significantDigits += 1
            }
            digits += 1
            index += 1
        }
        // Digits beyond 19 significant ones before the point still scale the value.
        var exponent = max(0, significantDigits - 19)
        if index < count, start[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, start[index] &- UInt8(ascii: "0") < 10 {
                let digit = UInt64(start[index] &- UInt8(ascii: "0"))
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    if mantissa != 0 { significantDigits += 1 }
                    fractionDigits += 1
                } else {
                    significantDigits += 1
                }
                digits += 1
                index += 1
            }
        }
        guard digits > 0 else { return nil }
        if index < count, start[index] == UInt8(ascii: "e") || start[index] == UInt8(ascii: "E") {
            index += 1
            var negativeExponent = false
            if index < count, start[index] == UInt8(ascii: "+") || start[index] == UInt8(ascii: "-") {
                negativeExponent = start[index] == UInt8(ascii: "-")
                index += 1
            }
            var value = 0
            var exponentDigits = 0
            while index < count, start[index] &- UInt8(ascii: "0") < 10 {
                if value < 100_000 { value = value * 10 + Int(start[index] &- UInt8(ascii: "0")) }
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += negativeExponent ? -value : value
        }
        guard index == count else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        let scale = exponent - fractionDigits
        // Exact fast path: both the mantissa and the power of ten are exactly representable, so one
        // rounding step gives the correctly rounded result.
        if significantDigits <= 19, mantissa <= 1 << 53, scale >= -22, scale <= 22 {
            var value = Double(mantissa)
            if scale >= 0 { value *= exactPowersOfTen[scale] } else { value /= exactPowersOfTen[-scale] }
            return negative ? -value : value
        }
        // Rare: long mantissas and large exponents take the standard library's correctly rounded parser.
        let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        return Double(text)
    }

    /// Whether the `count` bytes at `start` are a decimal number rather than a spelled infinity or NaN: after an
    /// optional sign, a digit or a point.
    static func isDecimal(_ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        if count > 0, start[0] == UInt8(ascii: "+") || start[0] == UInt8(ascii: "-") { index = 1 }
        guard index < count else { return false }
        return start[index] == UInt8(ascii: ".") || start[index] &- UInt8(ascii: "0") < 10
    }

    private static func parseSpecial(
        _ start: UnsafePointer<UInt8>, _ count: Int, signed: Bool, negative: Bool, specials: Specials
    ) -> Double? {
        let body = UnsafeBufferPointer(start: start + (signed ? 1 : 0), count: count - (signed ? 1 : 0))
        switch specials {
        case .none:
            return nil
        case .canonicalInfinity:
            guard signed, body.elementsEqual("Inf".utf8) else { return nil }
            return negative ? -.infinity : .infinity
        case .any:
            if lowercasedEquals(body, "inf") || lowercasedEquals(body, "infinity") {
                return negative ? -.infinity : .infinity
            }
            if !signed, lowercasedEquals(body, "nan") { return .nan }
            return nil
        }
    }

    private static func lowercasedEquals(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for index in 0..<bytes.count where bytes[index] | 0x20 != expected[index] {
            return false
        }
        return true
    }

    /// A Prometheus text timestamp: an optional minus sign and decimal digits (milliseconds), or `nil`
    /// when malformed or outside `Int64`.
    static func parseInt64(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int64? {
        var index = 0
        var negative = false
        if count > 0, start[0] == UInt8(ascii: "-") || start[0] == UInt8(ascii: "+") {
            negative = start[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        var value: Int64 = 0
        while index < count {
            let digit = start[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}
