import Foundation

/// Times are stored and emitted as RFC 3339 UTC text with microseconds
/// (`2006-01-02T15:04:05.000000Z`): fixed width, so text order is time order (schema.sql).
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        return format(microseconds: micros)
    }

    public static func format(microseconds micros: Int64) -> String {
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        // Digit by digit: `String(format:)` cost 3% of a get (issue #19's profile).
        return String(unsafeUninitializedCapacity: 27) { out in
            func put(_ value: Int, _ width: Int, at end: Int) {
                var v = value
                for i in stride(from: end - 1, through: end - width, by: -1) {
                    out[i] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(Int(parts.tm_year) + 1900, 4, at: 4)
            out[4] = 0x2D
            put(Int(parts.tm_mon) + 1, 2, at: 7)
            out[7] = 0x2D
            put(Int(parts.tm_mday), 2, at: 10)
            out[10] = 0x54
            put(Int(parts.tm_hour), 2, at: 13)
            out[13] = 0x3A
            put(Int(parts.tm_min), 2, at: 16)
            out[16] = 0x3A
            put(Int(parts.tm_sec), 2, at: 19)
            out[19] = 0x2E
            put(Int(fraction), 6, at: 26)
            out[26] = 0x5A
            return 27
        }
    }

    public static func now() -> String { format(Date()) }

    /// Seconds since 1970 of a stored time (`2006-01-02T15:04:05.000000Z`), read digit by
    /// digit: this runs for every agent on every task page, where a date parser is too slow.
    /// Other forms go through `parse`.
    public static func epochSeconds(_ text: String) -> Double? {
        let b = Array(text.utf8)
        guard b.count == 27, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x2E, b[26] == 0x5A
        else { return parse(text)?.timeIntervalSince1970 }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let d = Int(b[i]) - 48
                guard (0...9).contains(d) else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), let hh = number(11..<13),
              let mm = number(14..<16), let ss = number(17..<19), let micros = number(20..<26)
        else { return parse(text)?.timeIntervalSince1970 }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + hh * 3600 + mm * 60 + ss) + Double(micros) / 1_000_000
    }

    /// Parses RFC 3339 with or without fractional seconds and with any offset.
    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? withFraction.parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
