import Foundation
import Hummingbird

/// The Coder workspace endpoints tasks need around them (taskbox.md §4).
struct WorkspacesController {
    let layer: AuthorizingLayer
    let tasks: TasksController
    let jobs: JobNotifier

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/workspaces/{workspace}", use: get)
        group.post("/api/v2/workspaces/{workspace}/builds", use: build)
        group.put("/api/v2/workspaces/{workspace}/favorite", use: favorite)
        group.delete("/api/v2/workspaces/{workspace}/favorite", use: unfavorite)
        group.patch("/api/v2/workspacebuilds/{build}/cancel", use: cancel)
        group.post("/api/v2/organizations/{organization}/members/{user}/workspaces", use: create)
    }

    /// `{workspace}`: a UUID of a workspace the caller may read.
    func readable(_ context: AppRequestContext, _ store: AuthorizedStore) async throws -> WorkspaceView {
        let raw = context.parameters.get("workspace") ?? ""
        let id: String
        do {
            id = try GoUUID.parse(raw).lowercased
        } catch {
            throw APIError(400, "Invalid UUID \"\(raw)\".", detail: error.message)
        }
        return try await store.workspace(id: id)
    }

    static func deletedError(_ id: String) -> APIError {
        APIError(410, "Workspace \"\(id)\" was deleted, you can view this workspace by specifying '?deleted=true' and trying again.")
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let view = try await readable(context, store)
        let showDeleted = request.goQuery.first("deleted") == "true"
        if view.deleted && !showDeleted { throw Self.deletedError(view.id) }
        guard let detail = try await store.workspaceDetail(id: view.id) else { throw APIError.notFound }
        return JSONResponse.make(writing: detail)
    }

    @Sendable func build(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let view = try await readable(context, store)
        let body = try await RequestBody.read(request, context: context, as: "CreateWorkspaceBuildRequest")
        let requested = try body.string("transition")
        guard let transition = WorkspaceTransition(rawValue: requested) else {
            let tag = requested.isEmpty ? "required" : "oneof"
            throw APIError(400, "Validation failed.", validations: [
                ValidationFailure(field: "transition", detail: "Validation failed for tag \"\(tag)\" with value: \"\(requested)\""),
            ])
        }
        if view.deleted { throw Self.deletedError(view.id) }
        try await store.createBuild(
            on: view, transition: transition,
            forbidden: transition == .delete
                ? AuthorizedStore.buildForbidden(transition)
                : APIError(403, "Unauthorized to \(transition.rawValue) workspace.", detail: APIError.forbiddenDetail))
        let detail = try await store.workspaceDetail(id: view.id)
        jobs.enqueued()
        guard let detail else { throw APIError.notFound }
        return JSONResponse.make(writing: BuildResponse(detail: detail), status: .created)
    }

    @Sendable func favorite(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setFavorite(true, context)
    }

    @Sendable func unfavorite(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setFavorite(false, context)
    }

    private func setFavorite(_ value: Bool, _ context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        try await store.setFavorite(value, on: try await readable(context, store))
        return Response(status: .noContent)
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let raw = context.parameters.get("build") ?? ""
        guard let buildID = try? GoUUID.parse(raw).lowercased else {
            throw APIError(400, "Invalid UUID \"\(raw)\".")
        }
        try await store.cancelBuild(id: buildID)
        jobs.enqueued()
        return try JSONResponse.make(["message": "Job has been marked as canceled..."])
    }

    /// `POST /api/v2/organizations/{organization}/members/{user}/workspaces`: a plain workspace
    /// with Coder's `CreateWorkspaceRequest`, under the rules of tasks-api.md §1.2.1.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let org = try await store.organization(nameOrID: context.parameters.get("organization") ?? "")
        let resolved = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
        let body = try await RequestBody.read(request, context: context, as: "CreateWorkspaceRequest")
        let name = try body.string("name")
        let templateID = try body.uuid("template_id")
        var versionID = try body.uuid("template_version_id")
        let presetID = try body.uuid("template_version_preset_id")
        let parameters = try body.parameters("rich_parameter_values")
        if NameValidator.validate(name) != nil {
            throw APIError(400, "Validation failed.", validations: [
                ValidationFailure(field: "name", detail: "Validation failed for tag \"workspace_name\" with value: \"\(name)\""),
            ])
        }
        if versionID == nil, let templateID {
            versionID = try await store.activeVersionID(templateID: templateID)
            if versionID == nil {
                throw APIError(400, "Template \"\(templateID)\" doesn't exist.",
                               validations: [ValidationFailure(field: "template_id", detail: "template not found")])
            }
        }
        guard let versionID, let version = try await store.templateVersion(id: versionID) else {
            throw APIError(400, "Template version \"\(versionID ?? ID.nilUUID)\" doesn't exist.",
                           validations: [ValidationFailure(field: "template_version_id", detail: "template not found")])
        }
        if version.organizationID != org.id {
            throw APIError(400, "Template is not in organization \"\(org.name)\".")
        }
        let owner = try await store.owner(resolved, organizationID: org.id)
        let id = try await tasks.createWorkspace(
            .init(name: name, templateVersionID: versionID, presetID: presetID, parameters: parameters),
            version: version, owner: owner, store: store, request: request, context: context, audited: true)
        let detail = try await store.workspaceDetail(id: id)
        jobs.enqueued()
        guard let detail else { throw APIError.notFound }
        return JSONResponse.make(writing: detail, status: .created)
    }
}

/// Coder's `WorkspaceBuild`: the answer to a new build.
struct BuildResponse: JSONWritable {
    var detail: WorkspaceDetail
    func write(to json: inout JSONWriter) { detail.writeLatestBuild(to: &json) }
}
