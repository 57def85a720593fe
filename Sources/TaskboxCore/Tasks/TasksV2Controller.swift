import Foundation
import Hummingbird
import Logging

/// Coder's final task endpoints under `/api/v2/tasks` (tasks-v2.md §3), each check in the
/// order the reference handlers make it. Send/logs, pause/resume and the agent's snapshot
/// upload live in their own controllers.
struct TasksV2Controller {
    let layer: AuthorizingLayer
    let tasks: TasksController
    let jobs: JobNotifier

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/tasks", use: list)
        group.post("/api/v2/tasks/{user}", use: create)
        group.get("/api/v2/tasks/{user}/{task}", use: get)
        group.delete("/api/v2/tasks/{user}/{task}", use: delete)
        group.patch("/api/v2/tasks/{user}/{task}/input", use: updateInput)
    }

    // MARK: §3.1

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let query = request.goQuery
        let filter = try await Self.filter(query.first("q"), store)
        // taskbox extension (tasks-v2.md §11.6): paging and a total `count` only when asked for.
        var pagination: Pagination?
        if ["limit", "offset", "after_id"].contains(where: { !query[$0].isEmpty }) {
            do {
                pagination = try Pagination.parse(query)
            } catch {
                throw APIError(400, "Query parameters have invalid values.", validations: error.validations)
            }
        }
        let (rows, total) = try await store.tasks(filter: filter, pagination: pagination)
        let tasks = try await store.responses(rows)
        return JSONResponse.make(writing: TasksController.ListResponse(tasks: tasks, count: total))
    }

    /// The list's `q` (its search grammar), a 400 with the validations when it does not parse.
    static func filter(_ q: String, _ store: AuthorizedStore) async throws -> TaskFilter {
        do {
            return try await store.taskFilter(q)
        } catch {
            throw APIError(400, "Invalid task search query.", validations: error.validations)
        }
    }

    // MARK: §3.3

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        let workspace = try await caller.store.workspace(
            of: task, missing: APIError(500, "Internal error fetching task.", detail: "Task workspace ID is invalid."))
        guard workspace.build != nil else { throw APIError.notFound }
        return JSONResponse.make(writing: task.response(workspace: workspace))
    }

    // MARK: §3.4

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        if task.workspaceID != nil {
            let workspace = try await caller.store.workspace(of: task, missing: APIError.notFound)
            try await withBuildErrorDetail {
                try await caller.store.createBuild(
                    on: workspace, transition: .delete, forbidden: AuthorizedStore.buildForbidden(.delete))
            }
            jobs.enqueued()
        }
        try await caller.store.markDeleted(task)
        return Response(status: .accepted)
    }

    // MARK: §3.5

    @Sendable func updateInput(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        let body = try await TaskBody.read(request, context: context, as: "UpdateTaskInputRequest")
        let input = try body.string("input")
        if input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw APIError(400, "Task input is required.") }
        // Stored untrimmed; the next start build passes it on (tasks-v2.md §11.2).
        try await caller.store.updatePrompt(of: task, to: input)
        return Response(status: .noContent, headers: [.contentType: JSONResponse.contentType])
    }
}
