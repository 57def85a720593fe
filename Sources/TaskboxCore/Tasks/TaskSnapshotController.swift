import Hummingbird

/// `POST /api/v2/workspaceagents/me/tasks/{task}/log-snapshot?format=agentapi`
/// (tasks-v2.md §3.11): an agent of the task's workspace uploads the conversation it had,
/// for the logs of the task while it is paused.
struct TaskSnapshotController {
    let store: SystemStore<AgentTokenRole>

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v2/workspaceagents/me/tasks/{task}/log-snapshot", use: upload)
    }

    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try await AgentController(store: store).authenticate(request)
        let raw = context.parameters.get("task") ?? ""
        let taskID: String
        do {
            taskID = try GoUUID.parse(raw).lowercased
        } catch {
            throw APIError(400, "Invalid task ID format.", detail: error.message)
        }
        // Step 3: `format` and nothing else (a token in the query fails here too).
        let parser = QueryParamParser(request.goQuery)
        let format = parser.single("format")
        if format == nil && parser.values["format"].count <= 1 {
            parser.fail("format", "Query param \"format\" is required and cannot be empty")
        }
        parser.failUnknownKeys()
        if !parser.failures.isEmpty { throw APIError(400, "Invalid query parameters.", validations: parser.failures) }
        guard let format, format == TaskLogSnapshot.format else {
            throw APIError(400, "Invalid format parameter.",
                           detail: "Only \"agentapi\" format is currently supported, got \"\(format ?? "")\".")
        }
        // Steps 5–6: a task of the agent's own workspace.
        guard let task = try await store.task(id: taskID, of: agent) else {
            throw APIError.notFound
        }
        let messages = try await TaskBody.read(request, limit: TaskLogSnapshot.maxBytes) { bytes in
            let value: GoJSON
            do {
                value = try GoJSON.parse(bytes)
            } catch {
                throw APIError.badJSON(String(describing: error))
            }
            switch value["messages"] {
            case nil, .null?:
                throw APIError(400, "Invalid agentapi payload structure.", detail: "Missing required \"messages\" field.")
            default:
                do {
                    return try AgentAPIDecoding.messages(from: value)
                } catch {
                    throw APIError.badJSON(String(describing: error))
                }
            }
        }
        try await store.storeSnapshot(TaskLogSnapshot(messages: messages), of: task)
        return Response(status: .noContent)
    }
}
