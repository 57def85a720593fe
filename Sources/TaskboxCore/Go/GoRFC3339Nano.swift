import Foundation

/// `time.Parse(time.RFC3339Nano, s)`: the parser behind Coder's `Time3339Nano` query
/// params (tasks-api.md §5.3). Go walks the layout element by element and names the
/// element that failed, so error texts follow that shape:
/// `parsing time "<s>" as "<layout>": cannot parse "<rest>" as "<element>"`.
enum GoRFC3339Nano {
    static let layout = "2006-01-02T15:04:05.999999999Z07:00"

    static func parse(_ s: String) throws(ValueParseError) -> Date {
        var scanner = Scanner(full: s)
        let year = try scanner.number(exactly: 4, element: "2006")
        try scanner.literal("-")
        let month = try scanner.number(exactly: 2, element: "01")
        try scanner.checkRange(month >= 1 && month <= 12, "month")
        try scanner.literal("-")
        let day = try scanner.number(exactly: 2, element: "02")
        try scanner.literal("T")
        // Go's "15" accepts one or two digits.
        let hour = try scanner.number(upTo: 2, element: "15")
        try scanner.checkRange(hour < 24, "hour")
        try scanner.literal(":")
        let minute = try scanner.number(exactly: 2, element: "04")
        try scanner.checkRange(minute < 60, "minute")
        try scanner.literal(":")
        let second = try scanner.number(exactly: 2, element: "05")
        try scanner.checkRange(second < 60, "second")
        let nanoseconds = scanner.fraction()
        let offsetSeconds = try scanner.zone()
        guard scanner.rest.isEmpty else {
            throw scanner.failure(message: ": extra text: \(goQuote(String(Substring(scanner.rest))))")
        }
        guard day >= 1, day <= daysIn(month: month, year: year) else {
            throw scanner.failure(message: ": day out of range")
        }
        let days = daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Proleptic Gregorian day count (Howard Hinnant's days_from_civil).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private struct Scanner {
        let full: String
        var rest: Substring.UTF8View

        init(full: String) {
            self.full = full
            self.rest = Substring(full).utf8
        }

        func failure(element: String) -> ValueParseError {
            ValueParseError("parsing time \(goQuote(full)) as \(goQuote(GoRFC3339Nano.layout)): "
                + "cannot parse \(goQuote(String(Substring(rest)))) as \(goQuote(element))")
        }

        func failure(message: String) -> ValueParseError {
            ValueParseError("parsing time \(goQuote(full))\(message)")
        }

        func checkRange(_ ok: Bool, _ what: String) throws(ValueParseError) {
            if !ok { throw failure(message: ": \(what) out of range") }
        }

        mutating func literal(_ text: String) throws(ValueParseError) {
            guard rest.starts(with: text.utf8) else { throw failure(element: text) }
            rest = rest.dropFirst(text.utf8.count)
        }

        mutating func number(exactly count: Int, element: String) throws(ValueParseError) -> Int {
            let digits = rest.prefix(count)
            guard digits.count == count, digits.allSatisfy(isDigit) else { throw failure(element: element) }
            rest = rest.dropFirst(count)
            return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }

        mutating func number(upTo count: Int, element: String) throws(ValueParseError) -> Int {
            let digits = rest.prefix(count).prefix(while: isDigit)
            guard !digits.isEmpty else { throw failure(element: element) }
            rest = rest.dropFirst(digits.count)
            return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }

        /// ".999999999" is optional; Go accepts '.' or ',' and any number of digits,
        /// keeping nanosecond precision.
        mutating func fraction() -> Int {
            guard let separator = rest.first, separator == UInt8(ascii: ".") || separator == UInt8(ascii: ","),
                  let firstDigit = rest.dropFirst().first, isDigit(firstDigit) else { return 0 }
            let digits = rest.dropFirst().prefix(while: isDigit)
            rest = rest.dropFirst(1 + digits.count)
            let padded = Array(digits.prefix(9)) + Array(repeating: UInt8(ascii: "0"), count: max(0, 9 - digits.count))
            return padded.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }

        /// "Z07:00": `Z` or `±hh:mm`; returns the offset east of UTC in seconds.
        mutating func zone() throws(ValueParseError) -> Int {
            if rest.first == UInt8(ascii: "Z") {
                rest = rest.dropFirst()
                return 0
            }
            let zone = Array(rest.prefix(6))
            guard zone.count == 6, zone[3] == UInt8(ascii: ":"),
                  zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
                  zone[1...2].allSatisfy(isDigit), zone[4...5].allSatisfy(isDigit) else {
                throw failure(element: "Z07:00")
            }
            let hours = Int(zone[1] - 48) * 10 + Int(zone[2] - 48)
            let minutes = Int(zone[4] - 48) * 10 + Int(zone[5] - 48)
            rest = rest.dropFirst(6)
            // Go compares with > here because some offsets can be 24h.
            try checkRange(hours <= 24, "time zone offset hour")
            try checkRange(minutes <= 60, "time zone offset minute")
            let offset = hours * 3_600 + minutes * 60
            return zone[0] == UInt8(ascii: "-") ? -offset : offset
        }
    }
}

private func isDigit(_ c: UInt8) -> Bool {
    c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
}
