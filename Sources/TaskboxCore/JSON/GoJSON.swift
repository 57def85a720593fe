import Foundation

/// A JSON value the way Go's `encoding/json` sees it. agentapi is a Go program and Coder
/// decodes its answers with `encoding/json`, so both our agentapi client and the echo
/// double read and write JSON the Go way (agentapi.md §2, §3): objects keep their key
/// order, numbers keep their literal text, and output is escaped like Go's encoder.
indirect enum GoJSON: Sendable {
    case null
    case bool(Bool)
    /// The literal as written; Go decides per target type how to read it.
    case number(String)
    case string(String)
    case array([GoJSON])
    case object([(key: String, value: GoJSON)])

    static func int(_ value: some BinaryInteger) -> GoJSON { .number(String(value)) }

    /// The member a Go struct field would receive: an exact key match wins, otherwise the
    /// last case-insensitive match, as `json.Unmarshal` does.
    subscript(key: String) -> GoJSON? {
        guard case .object(let members) = self else { return nil }
        if let exact = members.last(where: { $0.key == key }) { return exact.value }
        return members.last(where: { $0.key.lowercased() == key.lowercased() })?.value
    }

    /// Go's name for the JSON type, as used in `json: cannot unmarshal <kind> into …`.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The value after a round trip through Go's `any`: maps sorted by key with the last
    /// duplicate winning, numbers re-rendered as float64. huma echoes request values back
    /// this way in its validation errors (agentapi.md §2.4).
    var asGoAny: GoJSON {
        switch self {
        case .number(let literal):
            return .number(Double(literal).map(GoJSON.formatFloat) ?? literal)
        case .array(let items):
            return .array(items.map(\.asGoAny))
        case .object(let members):
            var latest: [String: GoJSON] = [:]
            for member in members { latest[member.key] = member.value.asGoAny }
            return .object(latest.keys.sorted().map { (key: $0, value: latest[$0]!) })
        default:
            return self
        }
    }

    /// The compact text `json.Marshal` (escapeHTML true) or huma's encoder (false) writes.
    func encoded(escapeHTML: Bool) -> String {
        var writer = JSONWriter(capacity: 256, escapeHTML: escapeHTML)
        write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// A string as Go's encoder quotes it (`JSONWriter`'s escaping).
    static func quote(_ text: String, escapeHTML: Bool) -> String {
        GoJSON.string(text).encoded(escapeHTML: escapeHTML)
    }

    /// Go's float64 (or, given a Float, float32) encoding: shortest digits, plain notation
    /// for 1e-6 <= |x| < 1e21, otherwise exponent notation with `e-07` shortened to `e-7`.
    static func formatFloat<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> String {
        guard value.isFinite else { return String(value) }
        // Swift's description already has the shortest round-trip digits; only the
        // notation differs from Go's.
        var text = String(describing: value.magnitude)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integer + fraction
        var point = integer.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let sign = value.sign == .minus ? "-" : ""
        if digits.isEmpty { return sign + "0" }

        let magnitude = value.magnitude
        if magnitude < 1e-6 || magnitude >= 1e21 {
            let mantissa = digits.count > 1 ? "\(digits.first!).\(digits.dropFirst())" : digits
            let power = point - 1
            let powerText = power < 0
                ? "-" + String(-power)
                : "+" + (power < 10 ? "0" : "") + String(power)
            return sign + mantissa + "e" + powerText
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let cut = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<cut] + "." + digits[cut...]
    }
}

extension GoJSON: JSONWritable {
    func write(to json: inout JSONWriter) {
        switch self {
        case .null: json.null()
        case .bool(let value): json.bool(value)
        case .number(let literal): json.number(literal: literal)
        case .string(let text): json.string(text)
        case .array(let items):
            json.beginArray()
            for item in items { item.write(to: &json) }
            json.endArray()
        case .object(let members):
            json.beginObject()
            for member in members {
                json.key(member.key)
                member.value.write(to: &json)
            }
            json.endObject()
        }
    }
}
