import Foundation

/// Talking to a task's agentapi app, shared by both API versions: reaching the app
/// (tasks-api.md §1.8 steps 6–8, tasks-v2.md §3.8 steps 8–9), sending input and reading
/// the conversation.
enum TaskAppConversation {
    static func client(for app: SidebarApp, urlMissingMessage: String) throws -> AgentAPIClient {
        guard let raw = app.url, !raw.isEmpty else { throw APIError(500, urlMissingMessage) }
        guard let url = URLComponents(string: raw), url.host != nil else {
            throw APIError(500, "Internal error parsing task app URL.", detail: "parse \"\(raw)\": invalid URL")
        }
        guard url.scheme == "http" else { throw APIError(400, "Only http scheme is supported for direct agent-dial.") }
        // The agent must be reachable; in taskbox that is the supervisor's connection.
        let status = app.agent.status(now: Date().timeIntervalSince1970)
        guard status == "connected" else {
            throw APIError(502, "Failed to reach task app endpoint.", detail: "agent \(app.agentID) is \(status)")
        }
        return AgentAPIClient(baseURL: raw, token: app.agentToken, connectTimeout: .seconds(5), requestTimeout: .seconds(30))
    }

    /// `GET /status`, then `POST /message` when the agent is `stable`; a busy agent is
    /// `busyStatus` (experimental 502, v2 409).
    static func send(_ input: String, via client: AgentAPIClient, busyStatus: Int) async throws {
        let status: String
        do {
            status = try await client.status()
        } catch {
            throw APIError(502, "Failed to get status from task app.", detail: error.description)
        }
        guard status == "stable" else {
            throw APIError(busyStatus, "Task app is not ready to accept input.", detail: "Status: \(status)")
        }
        do {
            try await client.send(content: input, type: "user")
        } catch {
            throw APIError(502, "Task app rejected the message.", detail: error.description)
        }
    }

    /// `GET /messages`; a role other than `user` or `agent` is `invalidRole(role)`.
    static func messages(via client: AgentAPIClient, invalidRole: (String) -> APIError) async throws -> [AgentMessage] {
        let messages: [AgentMessage]
        do {
            messages = try await client.messages()
        } catch {
            throw APIError(502, "Failed to get messages from task app.", detail: error.description)
        }
        try checkRoles(messages, invalidRole)
        return messages
    }

    static func checkRoles(_ messages: [AgentMessage], _ invalidRole: (String) -> APIError) throws {
        if let bad = messages.first(where: { $0.role != "user" && $0.role != "agent" }) { throw invalidRole(bad.role) }
    }
}

/// `codersdk.TaskLogsResponse`: `snapshot` only when true, `snapshot_at` only when known.
struct TaskLogsResponse: JSONWritable {
    var messages: [AgentMessage]
    var snapshot = false
    var snapshotAt: String?

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("logs")
        json.beginArray()
        for m in messages { TaskLogEntry(message: m).write(to: &json) }
        json.endArray()
        if snapshot { json.field("snapshot", true) }
        if let snapshotAt { json.field("snapshot_at", snapshotAt) }
        json.endObject()
    }
}

/// One `codersdk.TaskLogEntry` `{id, content, type, time}`: a `user` message is `input`, the
/// agent's `output`. Also the data of the watch stream's `log` events.
struct TaskLogEntry: JSONWritable {
    var message: AgentMessage

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", Int(message.id))
        json.field("content", message.content)
        json.field("type", message.role == "user" ? "input" : "output")
        json.field("time", message.time)
        json.endObject()
    }
}
