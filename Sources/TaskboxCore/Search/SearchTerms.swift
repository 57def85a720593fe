/// Coder's `searchTerms` tokeniser (tasks-api.md §5.2): turns a lower-cased query into
/// key/value pairs. Its errors stop the parse and come back alone, with field `q`.
enum SearchTerms {
    /// `bareTerm` receives each element without a `:` (quotes still on) and adds the
    /// pairs it stands for; an error it throws becomes the `q` validation.
    static func parse(
        _ query: String,
        bareTerm: (String, inout QueryValues) throws(ValueParseError) -> Void
    ) throws(QueryValidationError) -> QueryValues {
        var values = QueryValues()
        for element in elements(of: query) {
            if element.utf8.first == UInt8(ascii: ":") || element.utf8.last == UInt8(ascii: ":") {
                throw rejection("Query element \(goQuote(element)) cannot start or end with ':'")
            }
            let parts = split(element, on: ":", keepingQuotes: false)
            switch parts.count {
            case 1:
                do {
                    try bareTerm(element, &values)
                } catch {
                    throw rejection(error.message)
                }
            case 2:
                values.add(parts[0].lowercased(), parts[1])
            default:
                throw rejection("Query element \(goQuote(element)) can only contain 1 ':'")
            }
        }
        return values
    }

    /// Space-separated tokens; those with a `:` (even a quoted one) stay apart, the rest
    /// are joined into one element placed last, so `foo bar owner:x` searches the name
    /// `foo bar`.
    static func elements(of query: String) -> [String] {
        let tokens = split(query, on: " ", keepingQuotes: true)
        let fields = tokens.filter { $0.unicodeScalars.contains(":") }
        let words = tokens.filter { !$0.unicodeScalars.contains(":") }
        return words.isEmpty ? fields : fields + [words.joined(separator: " ")]
    }

    /// Go's `splitQueryParameterByDelimiter`: splits on `delimiter` outside double quotes,
    /// drops empty pieces and, unless asked to keep them, trims quotes off each end.
    static func split(_ text: String, on delimiter: Unicode.Scalar, keepingQuotes: Bool) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var quoted = false
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.toggle() }
            if !quoted && scalar == delimiter {
                if !current.isEmpty { pieces.append(String(current)) }
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { pieces.append(String(current)) }
        return keepingQuotes ? pieces : pieces.map(trimmingQuotes)
    }

    private static func trimmingQuotes(_ piece: String) -> String {
        var scalars = Substring(piece).unicodeScalars
        while scalars.first == "\"" { scalars.removeFirst() }
        while scalars.last == "\"" { scalars.removeLast() }
        return String(scalars)
    }

    private static func rejection(_ detail: String) -> QueryValidationError {
        QueryValidationError(validations: [ValidationFailure(field: "q", detail: detail)])
    }
}
