import Foundation
import Hummingbird

/// v2 send and logs (tasks-v2.md §3.6–§3.8): gated on the task status, talking to the
/// task's bound app; logs of a task that is not active come from its stored snapshot.
struct TaskAppV2Controller {
    let layer: AuthorizingLayer
    var jobs = JobNotifier()

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/v2/tasks/{user}/{task}/send", use: send)
        group.get("/api/v2/tasks/{user}/{task}/logs", use: logs)
        addQueueRoutes(to: group)
    }

    // MARK: §3.6

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        let body = try await TaskBody.read(request, context: context, as: "TaskSendRequest")
        let input = try body.string("input")
        // No trimming: whitespace is input.
        if input.isEmpty { throw APIError(400, "Task input is required.") }
        // taskbox extension (issue #17): `"queue": true` queues what the agent cannot take now.
        if try body.bool("queue") { return try await sendOrQueue(input, task, caller) }
        let client = try await appClient(task, caller)
        try await TaskAppConversation.send(input, via: client, busyStatus: 409)
        return Response(status: .noContent)
    }

    // MARK: §3.7

    @Sendable func logs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        switch task.status {
        case .active:
            let client = try await appClient(task, caller)
            let messages = try await TaskAppConversation.messages(via: client) { role in
                APIError(502, "Invalid task app response.", detail: "invalid agentapi message role \"\(role)\"")
            }
            return JSONResponse.make(writing: TaskLogsResponse(messages: messages))
        case .paused, .pending, .initializing:
            guard let stored = try await caller.store.snapshot(of: task) else {
                return JSONResponse.make(writing: TaskLogsResponse(messages: [], snapshot: true))
            }
            let snapshot = try TaskLogSnapshot.decode(stored.json)
            try TaskAppConversation.checkRoles(snapshot.messages) { role in
                APIError(500, "Invalid snapshot data.", detail: "invalid agentapi message role \"\(role)\"")
            }
            return JSONResponse.make(writing: TaskLogsResponse(messages: snapshot.messages, snapshot: true, snapshotAt: stored.createdAt))
        case .error, .unknown:
            throw APIError(409, "Cannot fetch logs for task in current state.", detail: "Task status is \"\(task.status.rawValue)\".")
        }
    }

    // MARK: §3.8

    /// The task-app access chain, every check in its order.
    func appClient(_ task: TaskRow, _ caller: TaskRequest) async throws -> AgentAPIClient {
        switch task.status {
        case .pending, .initializing:
            throw APIError(409, "Task is \(task.status.rawValue).",
                           detail: "The task is resuming. Wait for the task to become active before sending messages.")
        case .paused:
            throw APIError(409, "Task is paused.", detail: "Resume the task to send messages.")
        case .error, .unknown:
            throw APIError(400, "Task must be active.",
                           detail: "Task status is \"\(task.status.rawValue)\", it must be \"active\" to interact with the task.")
        case .active:
            break
        }
        let noWorkspace = APIError(400, "Task does not have a workspace.")
        if task.workspaceID == nil { throw noWorkspace }
        if task.appID == nil { throw APIError(400, "Task does not have a workspace app.") }
        let access = try await caller.store.appAccess(to: task, missing: noWorkspace)
        // Coder dereferences a missing app and panics: the generic 500.
        guard let app = try await caller.store.sidebarApp(of: access) else {
            throw APIError(500, "An internal server error occurred.")
        }
        return try TaskAppConversation.client(for: app, urlMissingMessage: "Task app URL is not configured.")
    }
}
