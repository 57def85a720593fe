/// Claude Code's stream-json lines (`claude -p --input-format stream-json --output-format
/// stream-json`), read as far as the adapter needs them and written as Claude expects them.
/// Unknown types, subtypes and fields are tolerated: a line is only ever read, never validated.
enum ClaudeStreamJSON {
    enum Block {
        case text(String)
        case toolUse(name: String, input: GoJSON)
    }

    struct Result {
        var isError: Bool
        var subtype: String
        var errors: [String]
        var text: String?
        var usage: AgentUsage
        /// `total_cost_usd` so far in this process, not per turn.
        var totalCostUSD: Double
        var sessionID: String?
    }

    enum Line {
        case initialized(sessionID: String)
        /// An assistant message of the main conversation (not a sub-agent's).
        case assistant([Block])
        case result(Result)
        case canUseTool(requestID: String, tool: String, input: GoJSON)
        /// Any other control request Claude sends; it gets an error answer.
        case otherControlRequest(requestID: String, subtype: String)
        /// Read but of no use to the adapter (tool results, acknowledgements, sub-agents…).
        case ignored(String)
        /// A type or subtype the adapter does not know.
        case unknown(String)
    }

    static func parse(_ text: String) -> Line {
        guard let json = try? GoJSON.parse(text), case .object = json else { return .unknown("not a JSON object") }
        let type = json["type"]?.stringValue ?? ""
        let subtype = json["subtype"]?.stringValue
        switch type {
        case "system":
            if subtype == "init", let id = json["session_id"]?.stringValue { return .initialized(sessionID: id) }
            return .ignored("system/\(subtype ?? "")")
        case "assistant":
            if let parent = json["parent_tool_use_id"], !parent.isNull { return .ignored("assistant of a sub-agent") }
            return .assistant(blocks(json["message"]?["content"]))
        case "user":
            return .ignored("user")
        case "result":
            return .result(result(json))
        case "control_request":
            let id = json["request_id"]?.stringValue ?? ""
            let request = json["request"]
            let sub = request?["subtype"]?.stringValue ?? ""
            if sub == "can_use_tool" {
                return .canUseTool(requestID: id, tool: request?["tool_name"]?.stringValue ?? "", input: request?["input"] ?? .null)
            }
            return .otherControlRequest(requestID: id, subtype: sub)
        case "control_response", "control_cancel_request", "keep_alive", "stream_event":
            return .ignored(type)
        default:
            return .unknown(subtype.map { "\(type)/\($0)" } ?? type)
        }
    }

    private static func blocks(_ content: GoJSON?) -> [Block] {
        guard case .array(let items)? = content else { return [] }
        return items.compactMap { item in
            switch item["type"]?.stringValue {
            case "text": item["text"]?.stringValue.map(Block.text)
            case "tool_use": .toolUse(name: item["name"]?.stringValue ?? "tool", input: item["input"] ?? .null)
            default: nil
            }
        }
    }

    private static func result(_ json: GoJSON) -> Result {
        let usage = json["usage"]
        func int(_ value: GoJSON?) -> Int { value?.numberValue.map { Int($0) } ?? 0 }
        var errors: [String] = []
        if case .array(let items)? = json["errors"] { errors = items.compactMap(\.stringValue) }
        return Result(
            isError: json["is_error"]?.boolValue ?? false,
            subtype: json["subtype"]?.stringValue ?? "",
            errors: errors,
            text: json["result"]?.stringValue,
            usage: AgentUsage(
                inputTokens: int(usage?["input_tokens"]) + int(usage?["cache_creation_input_tokens"]) + int(usage?["cache_read_input_tokens"]),
                outputTokens: int(usage?["output_tokens"]), costUSD: 0, turns: int(json["num_turns"])),
            totalCostUSD: json["total_cost_usd"]?.numberValue ?? 0,
            sessionID: json["session_id"]?.stringValue)
    }

    /// The tool's main argument: the file, command, pattern or address it works on.
    static func mainArgument(_ input: GoJSON) -> String? {
        for key in ["file_path", "notebook_path", "path", "command", "pattern", "url", "query", "description", "prompt"] {
            if let value = input[key]?.stringValue, !value.isEmpty { return value }
        }
        return nil
    }

    // MARK: Lines written to Claude

    static func userMessage(_ text: String) -> String {
        GoJSON.object([
            (key: "type", value: .string("user")),
            (key: "message", value: .object([(key: "role", value: .string("user")), (key: "content", value: .string(text))])),
        ]).encoded(escapeHTML: false)
    }

    static func interrupt(requestID: String) -> String {
        GoJSON.object([
            (key: "type", value: .string("control_request")),
            (key: "request_id", value: .string(requestID)),
            (key: "request", value: .object([(key: "subtype", value: .string("interrupt"))])),
        ]).encoded(escapeHTML: false)
    }

    /// The answer to `can_use_tool`: allow with the input unchanged, or deny with a reason
    /// Claude shows the model as the tool's error.
    static func permission(requestID: String, allow: Bool, input: GoJSON, reason: String) -> String {
        let decision: GoJSON = allow
            ? .object([(key: "behavior", value: .string("allow")), (key: "updatedInput", value: input)])
            : .object([(key: "behavior", value: .string("deny")), (key: "message", value: .string(reason))])
        return controlResponse(requestID: requestID, [(key: "subtype", value: .string("success")), (key: "response", value: decision)])
    }

    static func controlError(requestID: String, _ message: String) -> String {
        controlResponse(requestID: requestID, [(key: "subtype", value: .string("error")), (key: "error", value: .string(message))])
    }

    private static func controlResponse(requestID: String, _ fields: [(key: String, value: GoJSON)]) -> String {
        GoJSON.object([
            (key: "type", value: .string("control_response")),
            (key: "response", value: .object(fields + [(key: "request_id", value: .string(requestID))])),
        ]).encoded(escapeHTML: false)
    }
}

extension GoJSON {
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var numberValue: Double? {
        if case .number(let literal) = self { return Double(literal) }
        return nil
    }
}
