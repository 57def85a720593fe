import Foundation
import Hummingbird

/// Request bodies decoded as Go's `encoding/json` does for Coder's request types
/// (tasks-api.md §1.0.3): unknown keys ignored, keys matched exactly or else ignoring case,
/// missing keys left empty, and any failure a 400 "Request body must be valid JSON.".
struct RequestBody {
    private let fields: [String: JSONValue]
    private let typeName: String

    /// Reads and parses the body (at most the context's upload limit; more is a 413).
    static func read(_ request: Request, context: AppRequestContext, as typeName: String) async throws -> RequestBody {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return try parse(Data(buffer.readableBytesView), typeName: typeName)
    }

    static func parse(_ data: Data, typeName: String) throws -> RequestBody {
        if data.allSatisfy({ [0x20, 0x09, 0x0a, 0x0d].contains($0) }) { throw APIError.badJSON("EOF") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw APIError.badJSON(Self.describe(error))
        }
        switch value {
        case .object(let fields): return RequestBody(fields: fields, typeName: typeName)
        case .null: return RequestBody(fields: [:], typeName: typeName)
        default: throw APIError.badJSON("json: cannot unmarshal \(value.goKind) into Go value of type codersdk.\(typeName)")
        }
    }

    private func value(_ key: String) -> JSONValue? {
        if let exact = fields[key] { return exact }
        return fields.first { $0.key.lowercased() == key.lowercased() }?.value
    }

    private func mismatch(_ key: String, _ value: JSONValue, _ goType: String) -> APIError {
        .badJSON("json: cannot unmarshal \(value.goKind) into Go struct field \(typeName).\(key) of type \(goType)")
    }

    /// A string field; absent or null is "".
    func string(_ key: String) throws -> String {
        switch value(key) {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case let other?: throw mismatch(key, other, "string")
        }
    }

    /// A UUID field as lower-case text; absent or null is nil (Go's zero UUID).
    func uuid(_ key: String) throws -> String? {
        switch value(key) {
        case nil, .null?: return nil
        case .string(let s)?:
            do {
                let id = try GoUUID.parse(s).lowercased
                return id == ID.nilUUID ? nil : id
            } catch {
                throw APIError.badJSON(error.message)
            }
        case let other?: throw mismatch(key, other, "uuid.UUID")
        }
    }

    /// An array of `{"name","value"}` objects (Coder's `WorkspaceBuildParameter`).
    func parameters(_ key: String) throws -> [(name: String, value: String)] {
        switch value(key) {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item in
                guard case .object(let fields) = item else { throw mismatch(key, item, "codersdk.WorkspaceBuildParameter") }
                let nested = RequestBody(fields: fields, typeName: "WorkspaceBuildParameter")
                return (try nested.string("name"), try nested.string("value"))
            }
        case let other?: throw mismatch(key, other, "[]codersdk.WorkspaceBuildParameter")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "invalid JSON: " + (underlying ?? context.debugDescription)
        }
        return "invalid JSON: \(error)"
    }
}

/// Any JSON value.
enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var fields: [String: JSONValue] = [:]
            for key in object.allKeys { fields[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(fields)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { self = .null }
            else if let b = try? single.decode(Bool.self) { self = .bool(b) }
            else if let n = try? single.decode(Double.self) { self = .number(n) }
            else { self = .string(try single.decode(String.self)) }
        }
    }

    /// The word Go's decoder uses for this kind of value.
    var goKind: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
