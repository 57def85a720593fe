/// The body of `POST /message` (`MessageRequestBody`, agentapi.md §2.1), read the way huma
/// reads it before agentapi's handler runs (§2.4): size limit, presence, content type, JSON
/// syntax, then the schema: both fields required strings, `type` one of "user, raw", no
/// other keys. Keys match case-insensitively, as huma's validator and Go's decoder do.
struct AgentMessageRequest: Sendable, Equatable {
    var content: String
    var type: String

    static let maxBodyBytes = 1024 * 1024
    static let types = ["user", "raw"]
    private static let properties = ["content", "type"]

    static let bodyRequired = HumaProblem(status: 400, detail: "request body is required")
    static let bodyTooLarge = HumaProblem(status: 413, detail: "request body is too large limit=\(maxBodyBytes) bytes")

    static func decode(_ body: [UInt8], contentType: String?) throws(HumaProblem) -> AgentMessageRequest {
        guard !body.isEmpty else { throw bodyRequired }
        let raw = GoJSON.string(String(decoding: body, as: UTF8.self))
        guard isJSON(contentType ?? "") else {
            throw HumaProblem.validationFailed(415, [
                .init(message: "unknown content type: \(contentType ?? "")", location: "body", value: raw),
            ])
        }
        let parsed: GoJSON
        do {
            parsed = try GoJSON.parse(body)
        } catch {
            throw HumaProblem.validationFailed(400, [.init(message: error.description, location: "body", value: raw)])
        }
        let problems = validate(parsed.asGoAny)
        guard problems.isEmpty else { throw HumaProblem.validationFailed(422, problems) }
        guard case .string(let content)? = parsed["content"], case .string(let type)? = parsed["type"] else {
            // A case-insensitive duplicate the validator did not look at carried a non-string.
            throw HumaProblem.validationFailed(422, [.init(message: "expected string", location: "body")])
        }
        return AgentMessageRequest(content: content, type: type)
    }

    /// huma's `api.Unmarshal` picks the format from the media type after any `+` and
    /// before any `;`, defaulting to JSON when that is empty. (The real server also
    /// speaks CBOR; this double answers 415 for it.)
    private static func isJSON(_ contentType: String) -> Bool {
        let start = contentType.firstIndex(of: "+").map(contentType.index(after:)) ?? contentType.startIndex
        let end = contentType.firstIndex(of: ";") ?? contentType.endIndex
        guard start <= end else { return false }
        let format = contentType[start..<end]
        return format.isEmpty || format == "application/json" || format == "json"
    }

    /// huma's `Validate` for this schema, in its order: properties by sorted name, then
    /// unexpected keys. `object` has already been through Go's `any` (sorted, de-duplicated).
    private static func validate(_ object: GoJSON) -> [HumaProblem.Detail] {
        guard case .object(let members) = object else {
            return [.init(message: "expected object", location: "body", value: object)]
        }
        var problems: [HumaProblem.Detail] = []
        for name in properties {
            guard let member = members.first(where: { $0.key == name })
                    ?? members.first(where: { $0.key.lowercased() == name })
            else {
                problems.append(.init(message: "expected required property \(name) to be present", location: "body", value: object))
                continue
            }
            guard case .string(let text) = member.value else {
                problems.append(.init(message: "expected string", location: "body.\(name)", value: member.value))
                continue
            }
            if name == "type", !types.contains(text) {
                problems.append(.init(
                    message: "expected value to be one of \"\(types.joined(separator: ", "))\"",
                    location: "body.type", value: member.value))
            }
        }
        for member in members where !properties.contains(member.key.lowercased()) {
            problems.append(.init(message: "unexpected property", location: "body.\(member.key)", value: object))
        }
        return problems
    }
}
