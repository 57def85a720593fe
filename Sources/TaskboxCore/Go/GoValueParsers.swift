import Foundation

/// The error text of a value that failed to parse. Coder builds its validation details
/// from Go's error strings, so each parser here reproduces the Go library's wording.
struct ValueParseError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Go's `strconv.Quote`, enough for error texts: ASCII control characters are escaped,
/// everything printable is kept.
func goQuote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            let hex = String(scalar.value, radix: 16)
            out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// `uuid.Parse` from github.com/google/uuid, which Coder uses everywhere: it accepts the
/// 36-character form, `{…}`, `urn:uuid:…` and 32 bare hex digits, in either case.
enum GoUUID {
    static func parse(_ s: String) throws(ValueParseError) -> UUID {
        var bytes = Array(s.utf8)
        switch bytes.count {
        case 36:
            break
        case 45:
            let prefix = String(decoding: bytes[..<9], as: UTF8.self)
            guard prefix.lowercased() == "urn:uuid:" else {
                throw ValueParseError("invalid urn prefix: \(goQuote(prefix))")
            }
            bytes.removeFirst(9)
        case 38:
            // google/uuid skips the first byte and never checks the braces.
            bytes.removeFirst()
        case 32:
            return try uuid(fromHex: bytes, at: (0..<16).map { $0 * 2 })
        default:
            throw ValueParseError("invalid UUID length: \(bytes.count)")
        }
        let dash = UInt8(ascii: "-")
        guard bytes[8] == dash, bytes[13] == dash, bytes[18] == dash, bytes[23] == dash else {
            throw ValueParseError("invalid UUID format")
        }
        let offsets = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
        return try uuid(fromHex: bytes, at: offsets)
    }

    private static func uuid(fromHex bytes: [UInt8], at offsets: [Int]) throws(ValueParseError) -> UUID {
        var raw = [UInt8](repeating: 0, count: 16)
        for (i, offset) in offsets.enumerated() {
            guard let high = hexValue(bytes[offset]), let low = hexValue(bytes[offset + 1]) else {
                throw ValueParseError("invalid UUID format")
            }
            raw[i] = high << 4 | low
        }
        return UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                           raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// `strconv.ParseBool`.
enum GoBool {
    static func parse(_ s: String) throws(ValueParseError) -> Bool {
        switch s {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: throw ValueParseError("strconv.ParseBool: parsing \(goQuote(s)): invalid syntax")
        }
    }
}

/// `strconv.ParseInt(s, 10, 32)`, including which of "invalid syntax" and "value out of
/// range" wins when both apply (Go reports whichever it meets first, digit by digit).
enum GoInt32 {
    static func parse(_ s: String) throws(ValueParseError) -> Int32 {
        func failure(_ reason: String) -> ValueParseError {
            ValueParseError("strconv.ParseInt: parsing \(goQuote(s)): \(reason)")
        }
        var digits = Substring(s)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { throw failure("invalid syntax") }
        // ParseUint with bitSize 32 stops at 2^32 - 1; ParseInt then applies the sign.
        let unsignedMax: UInt64 = 1 << 32 - 1
        var n: UInt64 = 0
        for c in digits.utf8 {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { throw failure("invalid syntax") }
            n = n * 10 + UInt64(c - UInt8(ascii: "0"))
            if n > unsignedMax { throw failure("value out of range") }
        }
        let cutoff: UInt64 = 1 << 31
        if !negative && n >= cutoff || negative && n > cutoff { throw failure("value out of range") }
        return negative ? Int32(truncatingIfNeeded: 0 &- Int64(n)) : Int32(n)
    }
}
