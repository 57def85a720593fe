extension GoJSON {
    /// `json.Unmarshal` into `any`: Go's scanner validates the whole input first, then the
    /// value is built. Both passes are iterative, so deep nesting cannot overflow the stack.
    static func parse(_ text: some Collection<UInt8>) throws(GoJSONSyntaxError) -> GoJSON {
        let bytes = Array(text)
        try GoJSONScanner.validate(bytes)
        var builder = GoJSONBuilder(bytes: bytes)
        return builder.build()
    }

    static func parse(_ text: String) throws(GoJSONSyntaxError) -> GoJSON {
        try parse(Array(text.utf8))
    }
}

/// Builds the value from input the scanner has already accepted, so it can skip checks.
private struct GoJSONBuilder {
    private enum Open {
        case array([GoJSON])
        case object([(key: String, value: GoJSON)], key: String?)
    }

    let bytes: [UInt8]
    private var index = 0
    private var stack: [Open] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func build() -> GoJSON {
        var result = GoJSON.null
        while index < bytes.count {
            let c = bytes[index]
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: ":"):
                index += 1
            case UInt8(ascii: "{"):
                stack.append(.object([], key: nil))
                index += 1
            case UInt8(ascii: "["):
                stack.append(.array([]))
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                index += 1
                let value: GoJSON = switch stack.removeLast() {
                case .array(let items): .array(items)
                case .object(let members, _): .object(members)
                }
                attach(value, to: &result)
            case UInt8(ascii: "\""):
                let text = string()
                if case .object(let members, .none) = stack.last {
                    stack[stack.count - 1] = .object(members, key: text)
                } else {
                    attach(.string(text), to: &result)
                }
            case UInt8(ascii: "t"):
                index += 4
                attach(.bool(true), to: &result)
            case UInt8(ascii: "f"):
                index += 5
                attach(.bool(false), to: &result)
            case UInt8(ascii: "n"):
                index += 4
                attach(.null, to: &result)
            default:
                let start = index
                while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
                attach(.number(String(decoding: bytes[start..<index], as: UTF8.self)), to: &result)
            }
        }
        return result
    }

    private static func isNumberByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
    }

    private mutating func attach(_ value: GoJSON, to result: inout GoJSON) {
        guard let top = stack.popLast() else {
            result = value
            return
        }
        switch top {
        case .array(var items):
            items.append(value)
            stack.append(.array(items))
        case .object(var members, let key):
            members.append((key: key ?? "", value: value))
            stack.append(.object(members, key: nil))
        }
    }

    /// Decodes a string literal like Go: lone surrogates and invalid UTF-8 become U+FFFD.
    private mutating func string() -> String {
        index += 1
        var out: [UInt8] = []
        while bytes[index] != UInt8(ascii: "\"") {
            let c = bytes[index]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), bytes.count > index + 5,
                   bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    let low = hex4(at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                out.append(contentsOf: String(UnicodeScalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
            default: out.append(escape)
            }
        }
        index += 1
        return String(decoding: out, as: UTF8.self)
    }

    private func hex4(at start: Int) -> UInt32 {
        bytes[start..<start + 4].reduce(0) { value, c in
            let digit: UInt8 = switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            default: c - 0x41 + 10
            }
            return value << 4 | UInt32(digit)
        }
    }
}
