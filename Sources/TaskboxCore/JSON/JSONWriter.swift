/// The one JSON writer: keeps keys in the order written and escapes strings as Go's
/// `encoding/json` does (`encodeState.string`: `\b`, `\f`, `\n`, `\r`, `\t`; other controls,
/// U+2028 and U+2029 as `\uXXXX`; `<`, `>`, `&` too unless `escapeHTML` is off, as huma's
/// `SetEscapeHTML(false)`), so responses come out byte for byte like Coder's and agentapi's.
/// Hot responses write themselves (`JSONWritable`); other values go through `encode(_:)`.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// One entry per open object or array: whether nothing was written in it yet.
    private var empty: [Bool] = []
    private var afterKey = false
    /// Go's `Encoder.SetEscapeHTML`: `json.Marshal` and Coder's `httpapi` escape, huma does not.
    public let escapeHTML: Bool

    public init(capacity: Int = 1024, escapeHTML: Bool = true) {
        bytes.reserveCapacity(capacity)
        self.escapeHTML = escapeHTML
    }

    private mutating func prefix() {
        if afterKey {
            afterKey = false
        } else if let isEmpty = empty.last {
            if !isEmpty { bytes.append(UInt8(ascii: ",")) }
            empty[empty.count - 1] = false
        }
    }

    public mutating func beginObject() { prefix(); bytes.append(UInt8(ascii: "{")); empty.append(true) }
    public mutating func endObject() { empty.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { prefix(); bytes.append(UInt8(ascii: "[")); empty.append(true) }
    public mutating func endArray() { empty.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        prefix()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) { prefix(); appendString(value) }
    public mutating func null() { prefix(); bytes.append(contentsOf: "null".utf8) }
    public mutating func bool(_ value: Bool) { prefix(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    public mutating func int(_ value: Int) { prefix(); bytes.append(contentsOf: String(value).utf8) }
    /// A number literal written as given (GoJSON keeps the text it read; integers and floats
    /// arrive already in Go's notation).
    mutating func number(literal: String) { prefix(); bytes.append(contentsOf: literal.utf8) }
    public mutating func string(_ value: String?) { if let value { string(value) } else { null() } }
    /// A value another `JSONWriter` with the same `escapeHTML` wrote (a kept rendering).
    mutating func value(written bytes: [UInt8]) { prefix(); self.bytes.append(contentsOf: bytes) }

    public mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    public mutating func field(_ name: String, _ value: String?) { key(name); string(value) }
    public mutating func field(_ name: String, _ value: Int) { key(name); int(value) }
    public mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The bytes the scan stops at: controls, `"`, `\`, 0xE2 (the lead byte of U+2028 and
    /// U+2029) and, when escaping HTML, `< > &`.
    private static let stops: [Bool] = (0...255).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }
    private static let htmlStops: [Bool] = (0...255).map { stops[$0] || $0 == 0x3C || $0 == 0x3E || $0 == 0x26 }

    private mutating func append(_ a: UInt8, _ b: UInt8) {
        bytes.append(a)
        bytes.append(b)
    }

    /// Copies runs that need no escaping in one append (most strings are one run).
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        (escapeHTML ? Self.htmlStops : Self.stops).withUnsafeBufferPointer { stops in
            var run = 0
            var i = 0
            while i < utf8.count {
                let byte = utf8[i]
                // U+2028 and U+2029 are E2 80 A8 / E2 80 A9; any other E2 sequence is copied as is.
                guard stops[Int(byte)],
                      byte != 0xE2 || (i + 2 < utf8.count && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9))
                else {
                    i += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                switch byte {
                case UInt8(ascii: "\""): append(0x5C, 0x22)
                case UInt8(ascii: "\\"): append(0x5C, 0x5C)
                case 0x0A: append(0x5C, UInt8(ascii: "n"))
                case 0x0D: append(0x5C, UInt8(ascii: "r"))
                case 0x09: append(0x5C, UInt8(ascii: "t"))
                case 0x08: append(0x5C, UInt8(ascii: "b"))
                case 0x0C: append(0x5C, UInt8(ascii: "f"))
                case 0xE2:
                    append(0x5C, UInt8(ascii: "u"))
                    append(UInt8(ascii: "2"), UInt8(ascii: "0"))
                    append(UInt8(ascii: "2"), utf8[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                    i += 2
                default:
                    append(0x5C, UInt8(ascii: "u"))
                    append(0x30, 0x30)
                    append(Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)])
                }
                i += 1
                run = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<utf8.count]))
        }
    }
}

/// A value that writes itself with `JSONWriter`.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

/// A value a `JSONWriter` already wrote (a kept rendering), written again as it is.
struct WrittenJSON: JSONWritable {
    var bytes: [UInt8]

    func write(to json: inout JSONWriter) { json.value(written: bytes) }
}
