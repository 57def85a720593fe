import Foundation
import Hummingbird
import Logging

/// Coder's experimental task endpoints (tasks-api.md §1), each check in the order the
/// reference handlers make it.
struct TasksController {
    let layer: AuthorizingLayer
    let nameGenerator: TaskNameGenerator?
    let jobs: JobNotifier

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/experimental/aitasks/prompts", use: prompts)
        group.get("/api/experimental/tasks", use: list)
        group.post("/api/experimental/tasks/{user}", use: create)
        group.get("/api/experimental/tasks/{user}/{id}", use: get)
        group.delete("/api/experimental/tasks/{user}/{id}", use: delete)
    }

    // MARK: §1.1

    @Sendable func prompts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let raw = request.goQuery.first("build_ids")
        if raw.isEmpty { throw APIError(400, "build_ids query parameter is required") }
        var ids: [String] = []
        for entry in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            do {
                ids.append(try GoUUID.parse(trimmed).lowercased)
            } catch {
                throw APIError(400, "Invalid build ID format: \(entry)", detail: error.message)
            }
        }
        let prompts = try await store.prompts(buildIDs: ids)
        return JSONResponse.make(writing: PromptsResponse(prompts: prompts))
    }

    /// `{"prompts": {build id: prompt}}`, keys sorted by their bytes as Go's encoder sorts a map's.
    struct PromptsResponse: JSONWritable {
        var prompts: [String: String]

        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.key("prompts")
            json.beginObject()
            for (build, prompt) in prompts.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                json.field(build, prompt)
            }
            json.endObject()
            json.endObject()
        }
    }

    // MARK: §1.3

    /// §1.1's answer (and v2's list): the tasks, then the total that match.
    struct ListResponse<Task: JSONWritable>: JSONWritable {
        var tasks: [Task]
        var count: Int

        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.key("tasks")
            json.beginArray()
            for task in tasks { task.write(to: &json) }
            json.endArray()
            json.field("count", count)
            json.endObject()
        }
    }

    /// A list row's task JSON at `now`, valid until its agent's status would turn by the
    /// clock alone; the store keeps it with the row (issue #19: an unchanged row is copied,
    /// not rebuilt and rewritten, on the next page that shows it).
    static func renderedTask(_ view: WorkspaceView, now: Double) -> (bytes: [UInt8], validUntil: Double) {
        var json = JSONWriter(capacity: 1024)
        view.task(now: now).write(to: &json)
        return (json.bytes, view.agent?.statusChangesAt(after: now) ?? .infinity)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let query = request.goQuery
        let pagination: Pagination
        do {
            pagination = try Pagination.parse(query)
        } catch {
            throw APIError(400, "Query parameters have invalid values.", validations: error.validations)
        }
        let q = query.first("q")
        var filter: WorkspaceFilter
        do {
            filter = try await WorkspaceSearch.parse(
                q, lookup: store.workspaceSearchLookup,
                agentInactiveDisconnectTimeoutSeconds: AgentConnection.inactiveDisconnectTimeoutSeconds)
        } catch {
            throw APIError(400, "Invalid workspace search query.", validations: error.validations)
        }
        filter.hasAITask = true
        // §5.4: `me` is the caller.
        if filter.ownerUsername == "me" {
            filter.ownerID = UUID(uuidString: store.actor.id)
            filter.ownerUsername = ""
        }
        let now = Date().timeIntervalSince1970
        let (tasks, total) = try await store.renderedWorkspaces(filter: filter, pagination: pagination, now: now) { view in
            Self.renderedTask(view, now: now)
        }
        // taskbox.md §4: `count` is the total that match, not the page length.
        return JSONResponse.make(writing: ListResponse(tasks: tasks.map(WrittenJSON.init), count: total))
    }

    // MARK: §1.2

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let resolved = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
        let body = try await RequestBody.read(request, context: context, as: "CreateTaskRequest")
        let versionID = try body.uuid("template_version_id")
        let presetID = try body.uuid("template_version_preset_id")
        let input = try body.string("input")
        var name = try body.string("name")

        // Step 2: the version must be readable and have an AI task.
        guard let versionID, let version = try await store.templateVersion(id: versionID) else { throw APIError.notFound }
        guard version.hasAITask else { throw APIError(400, "Template does not have required parameter \"AI Prompt\"") }

        // Step 3: the name.
        if !name.isEmpty {
            if let problem = NameValidator.validate(name) {
                throw APIError(400, "Unable to create a Task with the provided name.", detail: problem)
            }
        } else {
            name = TaskName.fallback()
            if let nameGenerator {
                do {
                    name = try await nameGenerator.generate(prompt: input)
                } catch {
                    context.logger.error("unable to generate task name", metadata: ["error": "\(error)"])
                }
            }
        }

        // Step 5: the owner.
        let owner = try await store.owner(resolved, organizationID: version.organizationID)

        let workspaceID = try await createWorkspace(
            WorkspaceRequest(
                name: name, templateVersionID: versionID, presetID: presetID,
                parameters: [(name: "AI Prompt", value: input)]),
            version: version, owner: owner, store: store, request: request, context: context, audited: true,
            // A task row too, so the v2 routes show tasks that older clients create.
            task: NewTask(id: ID.new(), displayName: TaskNaming.fromPrompt(input)?.displayName ?? "", prompt: input))
        // The answer shows the state the create committed (taskbox.md §5), before the runner moves it on.
        // Whoever may create a workspace may read it.
        defer { jobs.enqueued() }
        let view = try await store.workspace(id: workspaceID)
        return JSONResponse.make(writing: view.task(prompt: input), status: .created)
    }

    struct WorkspaceRequest {
        var name: String
        var templateVersionID: String
        var presetID: String?
        var parameters: [(name: String, value: String)]
    }

    /// tasks-api.md §1.2.1 `createWorkspace`, shared with the plain workspace endpoint.
    func createWorkspace(
        _ create: WorkspaceRequest, version: TemplateVersionInfo, owner: UserReference, store: AuthorizedStore,
        request: Request, context: AppRequestContext, audited: Bool, task: NewTask? = nil
    ) async throws -> String {
        guard let templateID = version.templateID, let templateName = version.templateName else {
            throw APIError(400, "Template \"\(version.id)\" doesn't exist.",
                           validations: [ValidationFailure(field: "template_id", detail: "template not found")])
        }
        if version.archived {
            throw APIError(500, "Archived template versions cannot be used to make a workspace.",
                           validations: [ValidationFailure(field: "template_version_id", detail: "template version archived")])
        }
        if version.templateDeleted { throw APIError(404, "Template \"\(templateName)\" has been deleted!") }
        try store.authorizeCreate(ownerID: owner.id, organizationID: version.organizationID, templateName: templateName)
        if !version.templateDeprecated.isEmpty {
            throw APIError(400, "Template \"\(templateName)\" has been deprecated, and cannot be used to create a new workspace.",
                           detail: version.templateDeprecated)
        }
        switch version.importJobStatus {
        case .succeeded: break
        case .pending, .running:
            throw APIError(406, "The provided template version is \(version.importJobStatus.rawValue). Wait for it to complete importing!")
        case .failed, .canceling, .canceled:
            throw APIError(400, "The provided template version \"\(version.name)\" has failed to import: \"\(version.importJobError ?? "")\". You cannot build workspaces with it!")
        }
        let audit = audited
            ? AuditContext(
                ownerUsername: owner.username, ip: context.remoteAddress,
                userAgent: request.headers[.userAgent] ?? "", requestID: context.id)
            : nil
        return try await store.createWorkspace(
            NewWorkspace(
                name: create.name, ownerID: owner.id, organizationID: version.organizationID, templateID: templateID,
                templateVersionID: create.templateVersionID, presetID: create.presetID, parameters: create.parameters,
                initiatorID: store.actor.id, audit: audit, task: task),
            templateName: templateName)
    }

    // MARK: §1.4

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        _ = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
        let view = try await store.workspace(id: try TaskAppController.taskID(context))
        guard let build = view.build else { throw APIError.notFound }
        // Until the build sets has_ai_task, the prompt parameter marks a task.
        if build.hasAITask != true && view.prompt == nil { throw APIError.notFound }
        return JSONResponse.make(writing: view.task())
    }

    // MARK: §1.5

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        _ = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
        let view = try await store.workspace(id: try TaskAppController.taskID(context))
        guard let build = view.build, build.hasAITask == true else { throw APIError.notFound }
        try await store.createBuild(on: view, transition: .delete, forbidden: AuthorizedStore.buildForbidden(.delete))
        jobs.enqueued()
        return Response(status: .accepted)
    }
}
