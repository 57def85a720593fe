/// `json.Unmarshal` into the Go SDK's response structs (agentapi.md §3): unknown keys are
/// ignored, missing keys and nulls leave Go's zero value, a JSON type that does not fit the
/// field is an error worded like Go's `*json.UnmarshalTypeError`.
enum AgentAPIDecoding {
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    /// Go's zero `time.Time` as `MarshalJSON` writes it.
    static let zeroTime = "0001-01-01T00:00:00Z"

    /// `StatusResponseBody.status`.
    static func status(from body: GoJSON) throws(Mismatch) -> String {
        guard let fields = try object(body, type: "StatusResponseBody", field: nil) else { return "" }
        return try string(fields["status"], field: "StatusResponseBody.status")
    }

    /// `MessagesResponseBody.messages`.
    static func messages(from body: GoJSON) throws(Mismatch) -> [AgentMessage] {
        guard let fields = try object(body, type: "MessagesResponseBody", field: nil) else { return [] }
        let path = "MessagesResponseBody.messages"
        switch fields["messages"] {
        case nil, .null?:
            return []
        case .array(let items)?:
            var messages: [AgentMessage] = []
            messages.reserveCapacity(items.count)
            for item in items {
                messages.append(try message(item, path: path))
            }
            return messages
        case let other?:
            throw mismatch(other, field: path, type: "[]agentapi.Message")
        }
    }

    private static func message(_ item: GoJSON, path: String) throws(Mismatch) -> AgentMessage {
        guard let fields = try object(item, type: "agentapi.Message", field: path) else {
            return AgentMessage(id: 0, content: "", role: "", time: zeroTime)
        }
        return AgentMessage(
            id: try int64(fields["id"], field: path + ".id"),
            content: try string(fields["content"], field: path + ".content"),
            role: try string(fields["role"], field: path + ".role"),
            time: try time(fields["time"]))
    }

    /// nil for JSON null, which Go leaves as the zero struct.
    private static func object(_ value: GoJSON, type: String, field: String?) throws(Mismatch) -> GoJSON? {
        switch value {
        case .null: return nil
        case .object: return value
        default:
            if let field { throw mismatch(value, field: field, type: type) }
            throw Mismatch(description: "json: cannot unmarshal \(value.kindName) into Go value of type \(type)")
        }
    }

    private static func string(_ value: GoJSON?, field: String) throws(Mismatch) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let text)?: return text
        case let other?: throw mismatch(other, field: field, type: "string")
        }
    }

    private static func int64(_ value: GoJSON?, field: String) throws(Mismatch) -> Int64 {
        switch value {
        case nil, .null?: return 0
        case .number(let literal)?:
            guard let number = Int64(literal) else {
                throw Mismatch(description: "json: cannot unmarshal number \(literal) into Go struct field \(field) of type int64")
            }
            return number
        case let other?: throw mismatch(other, field: field, type: "int64")
        }
    }

    /// `time.Time.UnmarshalJSON`: a JSON string holding RFC 3339, kept as written.
    private static func time(_ value: GoJSON?) throws(Mismatch) -> String {
        switch value {
        case nil, .null?: return zeroTime
        case .string(let text)?:
            do {
                _ = try GoRFC3339Nano.parse(text)
            } catch {
                throw Mismatch(description: error.message)
            }
            return text
        case _?: throw Mismatch(description: "Time.UnmarshalJSON: input is not a JSON string")
        }
    }

    private static func mismatch(_ value: GoJSON, field: String, type: String) -> Mismatch {
        Mismatch(description: "json: cannot unmarshal \(value.kindName) into Go struct field \(field) of type \(type)")
    }
}
