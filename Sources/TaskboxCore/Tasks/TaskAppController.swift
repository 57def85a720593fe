import Foundation
import Hummingbird

/// Send and logs: the task's sidebar app, an agentapi server, reached over HTTP
/// (tasks-api.md §1.6–§1.8).
struct TaskAppController {
    let layer: AuthorizingLayer

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/experimental/tasks/{user}/{id}/send", use: send)
        group.get("/api/experimental/tasks/{user}/{id}/logs", use: logs)
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        _ = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
        let id = try Self.taskID(context)
        let body = try await RequestBody.read(request, context: context, as: "TaskSendRequest")
        let input = try body.string("input")
        // No trimming: whitespace is input (§1.6 step 3).
        if input.isEmpty { throw APIError(400, "Task input is required.") }
        let client = try await sidebarClient(id: id, store: store)
        try await TaskAppConversation.send(input, via: client, busyStatus: 502)
        return Response(status: .noContent)
    }

    @Sendable func logs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        _ = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
        let id = try Self.taskID(context)
        let client = try await sidebarClient(id: id, store: store)
        let messages = try await TaskAppConversation.messages(via: client) { role in
            APIError(502, "Invalid task app response message role.", detail: "Expected \"user\" or \"agent\", got \"\(role)\".")
        }
        return JSONResponse.make(writing: TaskLogsResponse(messages: messages))
    }

    /// The `{id}` segment: a task's workspace id.
    static func taskID(_ context: AppRequestContext) throws -> String {
        let raw = context.parameters.get("id") ?? ""
        guard let id = try? GoUUID.parse(raw).lowercased else { throw APIError(400, "Invalid UUID \"\(raw)\" for task ID.") }
        return id
    }

    /// §1.8, every check in its order.
    func sidebarClient(id: String, store: AuthorizedStore) async throws -> AgentAPIClient {
        let view = try await store.workspaceForApp(id: id)
        guard let build = view.build else { throw APIError.notFound }
        guard build.hasAITask == true, let appID = build.sidebarAppID, appID != ID.nilUUID else {
            throw APIError(400, "Task is not configured with a sidebar app.")
        }
        guard let app = try await store.sidebarApp(appID: appID, ofLatestBuildOf: view) else {
            throw APIError(400, "Task sidebar app not found in latest build.")
        }
        switch app.health {
        case .initializing: throw APIError(503, "Task sidebar app is initializing. Try again shortly.")
        case .unhealthy: throw APIError(503, "Task sidebar app is unhealthy.")
        case .healthy, .disabled: break
        }
        return try TaskAppConversation.client(for: app, urlMissingMessage: "Task sidebar app URL is not configured.")
    }
}
