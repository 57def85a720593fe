/// A JSON syntax error worded like Go's `encoding/json` (`invalid character 'x' looking for
/// beginning of value`, `unexpected end of JSON input`). huma puts this text in its 400
/// answers (agentapi.md §2.4), so the echo double must say the same.
struct GoJSONSyntaxError: Error, Equatable, CustomStringConvertible {
    let description: String
}

/// Go's `encoding/json` scanner state machine (scanner.go), kept only for its verdict and
/// its error texts.
struct GoJSONScanner {
    private enum Step {
        case beginValueOrEmpty, beginValue, beginStringOrEmpty, beginString, endValue, endTop
        case inString, inStringEscape, inStringEscapeU(Int)
        case negative, nonZeroInteger, zero, dot, fractionDigits, exponent, exponentSign, exponentDigits
        case literal(name: String, rest: ArraySlice<UInt8>)
    }

    private enum Container { case objectKey, objectValue, arrayValue }

    private static let maxNestingDepth = 10_000

    private var step = Step.beginValue
    private var stack: [Container] = []
    private var endTop = false

    static func validate(_ bytes: [UInt8]) throws(GoJSONSyntaxError) {
        var scanner = GoJSONScanner()
        for byte in bytes { try scanner.consume(byte) }
        // Go's eof(): feed a space so numbers and literals finish, then demand a complete value.
        if scanner.endTop { return }
        try scanner.consume(UInt8(ascii: " "))
        if !scanner.endTop { throw GoJSONSyntaxError(description: "unexpected end of JSON input") }
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    private func error(_ c: UInt8, _ context: String) -> GoJSONSyntaxError {
        GoJSONSyntaxError(description: "invalid character \(Self.quoteChar(c)) \(context)")
    }

    /// Go's `quoteChar`: the byte as a Go rune literal.
    private static func quoteChar(_ c: UInt8) -> String {
        switch c {
        case UInt8(ascii: "'"): return "'\\''"
        case UInt8(ascii: "\""): return "'\"'"
        default:
            let quoted = goQuote(String(UnicodeScalar(c)))
            return "'" + quoted.dropFirst().dropLast() + "'"
        }
    }

    private mutating func push(_ container: Container, _ c: UInt8) throws(GoJSONSyntaxError) {
        stack.append(container)
        if stack.count > Self.maxNestingDepth { throw error(c, "exceeded max depth") }
    }

    private mutating func pop() {
        stack.removeLast()
        if stack.isEmpty {
            step = .endTop
            endTop = true
        } else {
            step = .endValue
        }
    }

    private mutating func consume(_ c: UInt8) throws(GoJSONSyntaxError) {
        switch step {
        case .beginValueOrEmpty:
            if Self.isSpace(c) { return }
            if c == UInt8(ascii: "]") { return try endValue(c) }
            try beginValue(c)
        case .beginValue:
            try beginValue(c)
        case .beginStringOrEmpty:
            if Self.isSpace(c) { return }
            if c == UInt8(ascii: "}") {
                stack[stack.count - 1] = .objectValue
                return try endValue(c)
            }
            try beginString(c)
        case .beginString:
            try beginString(c)
        case .endValue:
            try endValue(c)
        case .endTop:
            if !Self.isSpace(c) { throw error(c, "after top-level value") }
        case .inString:
            if c == UInt8(ascii: "\"") {
                step = .endValue
            } else if c == UInt8(ascii: "\\") {
                step = .inStringEscape
            } else if c < 0x20 {
                throw error(c, "in string literal")
            }
        case .inStringEscape:
            switch c {
            case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"),
                 UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "\""):
                step = .inString
            case UInt8(ascii: "u"):
                step = .inStringEscapeU(0)
            default:
                throw error(c, "in string escape code")
            }
        case .inStringEscapeU(let seen):
            guard Self.isHex(c) else { throw error(c, "in \\u hexadecimal character escape") }
            step = seen == 3 ? .inString : .inStringEscapeU(seen + 1)
        case .negative:
            if c == UInt8(ascii: "0") {
                step = .zero
            } else if Self.isDigit(c) {
                step = .nonZeroInteger
            } else {
                throw error(c, "in numeric literal")
            }
        case .nonZeroInteger:
            if Self.isDigit(c) { return }
            try afterZero(c)
        case .zero:
            try afterZero(c)
        case .dot:
            guard Self.isDigit(c) else { throw error(c, "after decimal point in numeric literal") }
            step = .fractionDigits
        case .fractionDigits:
            if Self.isDigit(c) { return }
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                step = .exponent
            } else {
                try endValue(c)
            }
        case .exponent:
            if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                step = .exponentSign
            } else {
                try exponentSign(c)
            }
        case .exponentSign:
            try exponentSign(c)
        case .exponentDigits:
            if Self.isDigit(c) { return }
            try endValue(c)
        case .literal(let name, let rest):
            guard let expected = rest.first, c == expected else {
                let want = rest.first.map { String(UnicodeScalar($0)) } ?? ""
                throw error(c, "in literal \(name) (expecting '\(want)')")
            }
            step = rest.count == 1 ? .endValue : .literal(name: name, rest: rest.dropFirst())
        }
    }

    private mutating func beginValue(_ c: UInt8) throws(GoJSONSyntaxError) {
        if Self.isSpace(c) { return }
        switch c {
        case UInt8(ascii: "{"):
            step = .beginStringOrEmpty
            try push(.objectKey, c)
        case UInt8(ascii: "["):
            step = .beginValueOrEmpty
            try push(.arrayValue, c)
        case UInt8(ascii: "\""): step = .inString
        case UInt8(ascii: "-"): step = .negative
        case UInt8(ascii: "0"): step = .zero
        case UInt8(ascii: "t"): step = .literal(name: "true", rest: ArraySlice("rue".utf8))
        case UInt8(ascii: "f"): step = .literal(name: "false", rest: ArraySlice("alse".utf8))
        case UInt8(ascii: "n"): step = .literal(name: "null", rest: ArraySlice("ull".utf8))
        case _ where Self.isDigit(c): step = .nonZeroInteger
        default: throw error(c, "looking for beginning of value")
        }
    }

    private mutating func beginString(_ c: UInt8) throws(GoJSONSyntaxError) {
        if Self.isSpace(c) { return }
        guard c == UInt8(ascii: "\"") else { throw error(c, "looking for beginning of object key string") }
        step = .inString
    }

    private mutating func afterZero(_ c: UInt8) throws(GoJSONSyntaxError) {
        if c == UInt8(ascii: ".") {
            step = .dot
        } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            step = .exponent
        } else {
            try endValue(c)
        }
    }

    private mutating func exponentSign(_ c: UInt8) throws(GoJSONSyntaxError) {
        guard Self.isDigit(c) else { throw error(c, "in exponent of numeric literal") }
        step = .exponentDigits
    }

    private mutating func endValue(_ c: UInt8) throws(GoJSONSyntaxError) {
        guard let top = stack.last else {
            step = .endTop
            endTop = true
            if !Self.isSpace(c) { throw error(c, "after top-level value") }
            return
        }
        step = .endValue
        if Self.isSpace(c) { return }
        switch top {
        case .objectKey:
            guard c == UInt8(ascii: ":") else { throw error(c, "after object key") }
            stack[stack.count - 1] = .objectValue
            step = .beginValue
        case .objectValue:
            if c == UInt8(ascii: ",") {
                stack[stack.count - 1] = .objectKey
                step = .beginString
            } else if c == UInt8(ascii: "}") {
                pop()
            } else {
                throw error(c, "after object key:value pair")
            }
        case .arrayValue:
            if c == UInt8(ascii: ",") {
                step = .beginValue
            } else if c == UInt8(ascii: "]") {
                pop()
            } else {
                throw error(c, "after array element")
            }
        }
    }
}
