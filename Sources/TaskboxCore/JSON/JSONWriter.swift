/// A small JSON writer that keeps keys in the order written and escapes strings as Go's
/// `encoding/json` does (`\b`, `\f`, `\n`, `\r`, `\t`; other controls, `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX`), so hot responses
/// come out byte for byte like Coder's without a generic encoder in the way.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// One entry per open object or array: whether nothing was written in it yet.
    private var empty: [Bool] = []
    private var afterKey = false

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

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
    public mutating func string(_ value: String?) { if let value { string(value) } else { null() } }

    public mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    public mutating func field(_ name: String, _ value: String?) { key(name); string(value) }
    public mutating func field(_ name: String, _ value: Int) { key(name); int(value) }
    public mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var utf8 = value.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 / E2 80 A9.
                pending = [byte]
                if let b1 = utf8.next() { pending.append(b1) }
                if let b2 = utf8.next() { pending.append(b2) }
                if pending.count == 3, pending[1] == 0x80, pending[2] == 0xA8 || pending[2] == 0xA9 {
                    bytes.append(contentsOf: "\\u202".utf8)
                    bytes.append(pending[2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                } else {
                    bytes.append(contentsOf: pending)
                }
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A value that writes itself with `JSONWriter`.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}
