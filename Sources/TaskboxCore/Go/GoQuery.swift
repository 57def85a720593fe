import Hummingbird

/// Query strings read the way Coder reads them: Go's `r.URL.Query()`, that is
/// `url.ParseQuery` with its error ignored. Every query parameter taskbox reads goes
/// through here (`Request.goQuery`), so `+` and `%20` mean the same everywhere.
///
/// - Pairs are separated by `&`; an empty pair is skipped.
/// - A pair containing `;` is dropped whole (Go refuses `;` as a separator).
/// - A pair is split at its first `=`; a pair without `=` has the value `""`.
/// - Key and value are unescaped as a query component: `+` is a space, `%XX` is the byte XX.
///   A `%` not followed by two hex digits makes the pair malformed, and it is dropped whole.
/// - The bytes are read as UTF-8; an invalid sequence becomes U+FFFD (Go keeps the raw
///   bytes, which no JSON response or SQLite text could carry anyway).
/// - Repeated keys keep every value in order; `first` is Go's `Values.Get`.
enum GoQuery {
    static func parse(_ raw: String?) -> QueryValues {
        var values = QueryValues()
        guard let raw, !raw.isEmpty else { return values }
        for pair in raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if pair.contains(UInt8(ascii: ";")) { continue }
            let key: Substring.UTF8View.SubSequence
            let value: Substring.UTF8View.SubSequence
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                key = pair[pair.startIndex..<equals]
                value = pair[pair.index(after: equals)...]
            } else {
                key = pair
                value = pair[pair.endIndex...]
            }
            guard let decodedKey = unescape(key), let decodedValue = unescape(value) else { continue }
            values.add(decodedKey, decodedValue)
        }
        return values
    }

    /// Go's `QueryUnescape`: nil for a malformed escape.
    static func unescape<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "%"):
                let first = bytes.index(after: index)
                guard first != bytes.endIndex, let high = hexValue(bytes[first]) else { return nil }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex, let low = hexValue(bytes[second]) else { return nil }
                output.append(high << 4 | low)
                index = bytes.index(after: second)
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
                index = bytes.index(after: index)
            default:
                output.append(byte)
                index = bytes.index(after: index)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Request {
    /// This request's query parameters, decoded as Coder's Go server decodes them.
    var goQuery: QueryValues { GoQuery.parse(uri.query) }
}
