/// A task's stored conversation (tasks-v2.md §3.11 step 9): agentapi's `GET /messages`
/// answer wrapped as `{"format":"agentapi","data":{"messages":[…]}}`.
public struct TaskLogSnapshot: Sendable, Equatable {
    public var messages: [AgentMessage]

    public static let format = "agentapi"
    /// The upload cap of §3.11, also the size a captured snapshot is trimmed to.
    public static let maxBytes = 65536
    /// What a pause keeps at most (Coder's docs: "up to 30 messages").
    public static let maxMessages = 30

    public init(messages: [AgentMessage]) { self.messages = messages }

    /// The last 30 messages, then the oldest dropped until the payload fits in 64 KiB.
    public static func bounded(_ messages: [AgentMessage]) -> TaskLogSnapshot {
        var snapshot = TaskLogSnapshot(messages: Array(messages.suffix(maxMessages)))
        while !snapshot.messages.isEmpty && snapshot.payloadBytes > maxBytes { snapshot.messages.removeFirst() }
        return snapshot
    }

    var payloadBytes: Int {
        var json = JSONWriter()
        writePayload(to: &json)
        return json.bytes.count
    }

    /// The stored envelope.
    public var stored: String {
        var json = JSONWriter()
        json.beginObject()
        json.field("format", Self.format)
        json.key("data")
        writePayload(to: &json)
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private func writePayload(to json: inout JSONWriter) {
        json.beginObject()
        json.key("messages")
        json.beginArray()
        for m in messages {
            json.beginObject()
            json.field("id", Int(m.id))
            json.field("content", m.content)
            json.field("role", m.role)
            json.field("time", m.time)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }

    /// Reads a stored envelope back; the errors are the 500s of tasks-v2.md §3.7.
    public static func decode(_ text: String) throws(APIError) -> TaskLogSnapshot {
        let value: GoJSON
        do {
            value = try GoJSON.parse(Array(text.utf8))
        } catch {
            throw APIError(500, "Internal error decoding task snapshot.", detail: error.description)
        }
        guard case .object = value, case .string(let format)? = value["format"], let data = value["data"],
              case .object = data, let messages = try? AgentAPIDecoding.messages(from: data)
        else {
            throw APIError(500, "Internal error decoding task snapshot.", detail: "snapshot is not {\"format\",\"data\":{\"messages\"}}")
        }
        guard format == Self.format else {
            throw APIError(500, "Unsupported task snapshot format.", detail: "Expected format \"agentapi\", got \"\(format)\".")
        }
        return TaskLogSnapshot(messages: messages)
    }
}
