import AsyncHTTPClient
import NIOCore

/// What a task's agentapi `/events` stream says (agentapi.md §2.6), decoded.
enum AgentStreamEvent: Sendable, Equatable {
    case message(AgentMessage)
    case status(String)
}

/// One subscription to an agentapi server's `GET /events`: its replay, then live events,
/// until the server ends the stream or the caller's task is cancelled. Sent with the agent
/// token like every other agent call.
struct AgentEventSubscription: Sendable {
    let client: AgentAPIClient
    /// agentapi's Go SDK caps an event at 128 KiB; a whole answer can be longer, so allow more.
    static let maxLineBytes = 8 << 20

    func run(_ onEvent: @Sendable (AgentStreamEvent) async -> Void) async throws {
        var request = HTTPClientRequest(url: client.url("/events"))
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let token = client.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let http = AgentHTTPTransport.pooledClient(connectTimeout: .seconds(5))
        // The stream lives as long as the task that reads it; cancelling that task ends it.
        let response = try await http.execute(request, timeout: .hours(24 * 365))
        guard response.status == .ok else {
            throw AgentAPIError("failed to subscribe to events: status code \(response.status.code)")
        }
        var parser = ServerSentEventParser(maxLineBytes: Self.maxLineBytes)
        for try await chunk in response.body {
            for event in try parser.feed(chunk.readableBytesView) {
                if let decoded = Self.decode(event) { await onEvent(decoded) }
            }
        }
    }

    /// `message_update` {id, role, message, time} and `status_change` {status}; anything else is skipped.
    static func decode(_ event: ServerSentEvent) -> AgentStreamEvent? {
        guard let json = try? GoJSON.parse(Array(event.data.utf8)) else { return nil }
        switch event.event {
        case "message_update":
            guard case .number(let raw)? = json["id"], let id = Int64(raw), case .string(let role)? = json["role"] else { return nil }
            var content = ""
            if case .string(let text)? = json["message"] { content = text }
            var time = "0001-01-01T00:00:00Z"
            if case .string(let text)? = json["time"] { time = text }
            return .message(AgentMessage(id: id, content: content, role: role, time: time))
        case "status_change":
            guard case .string(let status)? = json["status"] else { return nil }
            return .status(status)
        default:
            return nil
        }
    }
}
