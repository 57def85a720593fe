import Foundation

/// Query parameters that failed validation. Routes wrap it in Coder's 400 envelope with
/// their own message ("Query parameters have invalid values." for pagination,
/// "Invalid workspace search query." for `q`).
public struct QueryValidationError: Error, Equatable, Sendable {
    public var validations: [ValidationFailure]

    public init(validations: [ValidationFailure]) {
        self.validations = validations
    }
}

/// Go's `url.Values`: any number of values per key, kept in order. Keys also remember the
/// order they first appeared in, so "not a valid query param" errors come out in a
/// deterministic order (Go's map order is random).
struct QueryValues {
    private(set) var keys: [String] = []
    private var storage: [String: [String]] = [:]

    init(_ pairs: [(name: String, value: String)] = []) {
        for pair in pairs { add(pair.name, pair.value) }
    }

    mutating func add(_ key: String, _ value: String) {
        if storage[key] == nil { keys.append(key) }
        storage[key, default: []].append(value)
    }

    subscript(key: String) -> [String] { storage[key] ?? [] }

    /// Go's `Values.Get`: the first value of the key, `""` when absent.
    func first(_ key: String) -> String { storage[key]?.first ?? "" }
}

/// Coder's `httpapi.QueryParamParser`: every accessor records its key as known and
/// appends a validation failure instead of stopping, so all errors come back at once.
final class QueryParamParser {
    let values: QueryValues
    private(set) var failures: [ValidationFailure] = []
    private var parsed: Set<String> = []

    init(_ values: QueryValues) {
        self.values = values
    }

    func fail(_ key: String, _ detail: String) {
        failures.append(ValidationFailure(field: key, detail: detail))
    }

    /// The one value of a single-valued key. A missing key, or one whose *first* value is
    /// empty, is absent (tasks-api.md §4, §5.3); a repeated key is an error and absent.
    func single(_ key: String) -> String? {
        parsed.insert(key)
        let all = values[key]
        guard let first = all.first, !first.isEmpty else { return nil }
        guard all.count == 1 else {
            fail(key, "Query param \(goQuote(key)) provided more than once, found \(all.count) times. "
                + "Only provide 1 instance of this query param.")
            return nil
        }
        return first
    }

    /// All items of a list key: repeats are allowed and each value is split on commas.
    /// Absent under the same rule as `single`.
    func list(_ key: String) -> [String]? {
        parsed.insert(key)
        let all = values[key]
        guard let first = all.first, !first.isEmpty else { return nil }
        return all.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func string(_ key: String) -> String {
        single(key) ?? ""
    }

    func boolean(_ key: String) -> Bool? {
        guard let raw = single(key) else { return nil }
        do {
            return try GoBool.parse(raw)
        } catch {
            fail(key, "Query param \(goQuote(key)) must be a valid boolean: \(error.message)")
            return nil
        }
    }

    /// `Time3339Nano`: search queries are lower-cased, RFC 3339 needs `T` and `Z`.
    func time3339Nano(_ key: String) -> Date? {
        guard let raw = single(key) else { return nil }
        do {
            return try GoRFC3339Nano.parse(raw.uppercased())
        } catch {
            fail(key, "Query param \(goQuote(key)) must be a valid date format "
                + "(\(GoRFC3339Nano.layout)): \(error.message)")
            return nil
        }
    }

    func positiveInt32(_ key: String) -> Int32? {
        guard let raw = single(key) else { return nil }
        do throws(ValueParseError) {
            let value = try GoInt32.parse(raw)
            guard value >= 0 else { throw ValueParseError("value is negative") }
            return value
        } catch {
            fail(key, "Query param \(goQuote(key)) must be a valid 32-bit positive integer: \(error.message)")
            return nil
        }
    }

    func uuid(_ key: String) -> UUID? {
        guard let raw = single(key) else { return nil }
        do {
            return try GoUUID.parse(raw)
        } catch {
            fail(key, "Query param \(goQuote(key)) must be a valid uuid")
            return nil
        }
    }

    /// `ParseCustom`'s failure wording, for values checked by the caller.
    func invalidValue(_ key: String, _ reason: String) {
        fail(key, "Query param \(goQuote(key)) has invalid value: \(reason)")
    }

    /// `ParseCustomList`: every item is parsed; all item errors are joined by newlines
    /// (Go's `errors.Join`) and then nothing is returned.
    func customList<T>(_ key: String, _ parse: (String) throws(ValueParseError) -> T) -> [T] {
        guard let items = list(key) else { return [] }
        var output: [T] = []
        var errors: [String] = []
        for item in items {
            do {
                output.append(try parse(item))
            } catch {
                errors.append(error.message)
            }
        }
        guard errors.isEmpty else {
            fail(key, "Query param \(goQuote(key)) has invalid values: \(errors.joined(separator: "\n"))")
            return []
        }
        return output
    }

    /// `ErrorExcessParams`: keys nobody asked for, in the order they first appeared.
    func failUnknownKeys() {
        for key in values.keys where !parsed.contains(key) {
            fail(key, "\(goQuote(key)) is not a valid query param")
        }
    }
}
