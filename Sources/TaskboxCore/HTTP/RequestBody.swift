import Foundation
import Hummingbird

/// Request bodies decoded as Go's `encoding/json` does for Coder's request types
/// (tasks-api.md §1.0.3): unknown keys ignored, keys matched exactly or else ignoring case,
/// missing keys left empty, and any failure a 400 "Request body must be valid JSON.".
struct RequestBody {
    private let object: GoJSON
    private let typeName: String

    /// Reads and parses the body (at most the context's upload limit; more is a 413).
    static func read(_ request: Request, context: AppRequestContext, as typeName: String) async throws -> RequestBody {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return try parse(Array(buffer.readableBytesView), typeName: typeName)
    }

    static func parse(_ bytes: [UInt8], typeName: String) throws -> RequestBody {
        // json.Decoder reports an empty body as EOF.
        if bytes.allSatisfy({ [0x20, 0x09, 0x0a, 0x0d].contains($0) }) { throw APIError.badJSON("EOF") }
        let value: GoJSON
        do {
            value = try GoJSON.parse(bytes)
        } catch {
            throw APIError.badJSON(error.description)
        }
        switch value {
        case .object, .null: return RequestBody(object: value, typeName: typeName)
        default: throw APIError.badJSON("json: cannot unmarshal \(value.kindName) into Go value of type codersdk.\(typeName)")
        }
    }

    /// SQLite text (as GRDB binds and reads it) ends at a NUL, so a NUL would silently cut the
    /// stored value; every text field refuses it instead. Coder's Postgres refuses it too (500).
    static func nul(_ key: String) -> APIError {
        let detail = "Text must not contain NUL (\\u0000) characters."
        return APIError(400, "Invalid request body: \(goQuote(key)) contains a NUL character.", detail: detail,
                        validations: [ValidationFailure(field: key, detail: detail)])
    }

    private func mismatch(_ key: String, _ value: GoJSON, _ goType: String) -> APIError {
        .badJSON("json: cannot unmarshal \(value.kindName) into Go struct field \(typeName).\(key) of type \(goType)")
    }

    /// A string field; absent or null is "".
    func string(_ key: String) throws -> String {
        switch object[key] {
        case nil, .null?: return ""
        case .string(let s)?:
            if s.utf8.contains(0) { throw Self.nul(key) }
            return s
        case let other?: throw mismatch(key, other, "string")
        }
    }

    /// A boolean field; absent or null is false.
    func bool(_ key: String) throws -> Bool {
        switch object[key] {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case let other?: throw mismatch(key, other, "bool")
        }
    }

    /// A UUID field as lower-case text; absent or null is nil (Go's zero UUID).
    func uuid(_ key: String) throws -> String? {
        switch object[key] {
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

    /// An array of strings; absent or null is [].
    func strings(_ key: String) throws -> [String] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item in
                guard case .string(let s) = item else { throw mismatch(key, item, "string") }
                return s
            }
        case let other?: throw mismatch(key, other, "[]string")
        }
    }

    /// An array of `{"name","value"}` objects (Coder's `WorkspaceBuildParameter`).
    func parameters(_ key: String) throws -> [(name: String, value: String)] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item in
                guard case .object = item else { throw mismatch(key, item, "codersdk.WorkspaceBuildParameter") }
                let nested = RequestBody(object: item, typeName: "WorkspaceBuildParameter")
                return (try nested.string("name"), try nested.string("value"))
            }
        case let other?: throw mismatch(key, other, "[]codersdk.WorkspaceBuildParameter")
        }
    }
}
