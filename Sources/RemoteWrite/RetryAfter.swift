/// Parses an HTTP `Retry-After` value: delay-seconds, or an IMF-fixdate such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
public enum RetryAfter {
    /// The delay the header asks for, or `nil` when the value is not understood.
    ///
    /// - Parameter nowUnixSeconds: the current wall-clock time, used for dates (seconds since the epoch).
    public static func parse(_ value: String, nowUnixSeconds: Int64) -> Duration? {
        let trimmed = value.trimmingSpaces
        if let seconds = Int64(trimmed) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = parseIMFFixdate(trimmed) else { return nil }
        return .seconds(Swift.max(0, date - nowUnixSeconds))
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since the epoch of an IMF-fixdate, or `nil`.
    static func parseIMFFixdate(_ s: String) -> Int64? {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = s.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]), let year = Int64(parts[3]),
              let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, let h = Int64(time[0]), let m = Int64(time[1]), let sec = Int64(time[2]),
              (1...31).contains(day), (0..<24).contains(h), (0..<60).contains(m), (0...60).contains(sec) else { return nil }
        return daysFromCivil(year: year, month: Int64(monthIndex + 1), day: day) * 86_400 + h * 3_600 + m * 60 + sec
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
