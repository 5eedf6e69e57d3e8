/// The stale marker: a NaN with one exact bit pattern that tells the receiver a series ended.
///
/// Any other NaN a caller appends is a regular value; `RemoteWriteSeries` senders should not
/// produce this bit pattern by accident (see `normalisingNaN`).
public enum StaleMarker {
    /// The bit pattern of the stale-marker NaN, `0x7ff0000000000002`.
    public static let bitPattern: UInt64 = 0x7ff0_0000_0000_0002

    /// The stale-marker value.
    public static var value: Double { Double(bitPattern: bitPattern) }

    /// Whether `value` is the stale marker (bit-exact; other NaNs are not).
    @inlinable
    public static func isStaleMarker(_ value: Double) -> Bool { value.bitPattern == 0x7ff0_0000_0000_0002 }

    /// `value` unchanged, except that a NaN equal to the stale marker becomes the ordinary quiet NaN,
    /// so a measured NaN is never read as "series ended".
    @inlinable
    public static func normalisingNaN(_ value: Double) -> Double {
        isStaleMarker(value) ? Double.nan : value
    }
}
