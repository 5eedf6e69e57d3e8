#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Floating-point helpers that reproduce the arithmetic of Knative's Go implementation, so
/// that inferscale's windows and decisions agree with Knative's bit for bit where it matters.
enum GoMath {
    /// `x^y` computed like Go's `math.Pow` (`src/math/pow.go`): the integer part of the
    /// exponent by repeated squaring of the mantissa, the fraction through exp/log. The C
    /// library's `pow` rounds differently in the last bit for integer exponents.
    static func power(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x == 1 { return 1 }
        if y == 1 { return x }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 || x.isInfinite || y.isInfinite { return pow(x, y) }
        if y == 0.5 { return x.squareRoot() }
        if y == -0.5 { return 1 / x.squareRoot() }

        var yi = abs(y).rounded(.towardZero)
        var yf = abs(y) - yi
        if yf != 0 && x < 0 { return .nan }
        if yi >= 9.223372036854775807e18 { return pow(x, y) }

        var a1 = 1.0
        var ae = 0
        if yf != 0 {
            if yf > 0.5 {
                yf -= 1
                yi += 1
            }
            a1 = exp(yf * log(x))
        }
        var (x1, xe) = frexp(x)
        var i = Int64(yi)
        while i != 0 {
            if xe < -(1 << 12) || (1 << 12) < xe {
                ae += xe
                break
            }
            if i & 1 == 1 {
                a1 *= x1
                ae += xe
            }
            x1 *= x1
            xe <<= 1
            if x1 < 0.5 {
                x1 += x1
                xe -= 1
            }
            i >>= 1
        }
        if y < 0 {
            a1 = 1 / a1
            ae = -ae
        }
        return scalbn(a1, Int32(clamping: ae))
    }

    /// Go's `int32(f)` on amd64: truncation toward zero; NaN and values outside the int32
    /// range give the hardware's "integer indefinite", `Int32.min`. Swift would trap instead.
    static func int32(_ f: Double) -> Int32 {
        guard f.isFinite, f > -2_147_483_649.0, f < 2_147_483_648.0 else { return Int32.min }
        return Int32(f.rounded(.towardZero))
    }
}
