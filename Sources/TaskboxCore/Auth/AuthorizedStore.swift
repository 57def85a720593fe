import Foundation

/// The store as one caller may use it (issue #12; Coder's `dbauthz`): every route reads and
/// changes workspaces, tasks, templates, users and organizations through this value, which
/// fetches, asks `Authorizer` and answers as Coder does — the 404 of a missing object where the
/// caller may not read it, the route's 403 where the caller may read but not act. Routes hold
/// no `Authorizer` of their own; `StructureTests` keeps it that way. Made once per request by
/// `AppRequestContext.store(_:)`.
public struct AuthorizedStore: Sendable {
    let authorizer: Authorizer
    let database: AppDatabase

    public init(_ actor: Actor, _ database: AppDatabase) {
        authorizer = Authorizer(actor)
        self.database = database
    }

    public var actor: Actor { authorizer.actor }

    // MARK: Workspaces

    /// A workspace the caller may read, by its lowercased UUID.
    public func workspace(id: String) async throws -> WorkspaceView {
        guard let view = try await database.workspaceView(id: id), authorizer.may(.read, view.object) else {
            throw APIError.notFound
        }
        return view
    }

    /// A workspace whose app the caller may connect to (tasks-api.md §1.8): a 404 otherwise,
    /// also for callers who may read it.
    public func workspaceForApp(id: String) async throws -> WorkspaceView {
        let view = try await workspace(id: id)
        guard authorizer.may(.applicationConnect, view.object) else { throw APIError.notFound }
        return view
    }

    /// Coder's Workspace JSON of a workspace: nil when there is none, 404 when the caller may
    /// not read it.
    public func workspaceDetail(id: String) async throws -> WorkspaceDetail? {
        guard let detail = try await database.workspaceDetail(id: id) else { return nil }
        guard authorizer.may(.read, detail.view.object) else { throw APIError.notFound }
        return detail
    }

    /// A start, stop or delete build as the caller, refused with `forbidden` when the caller
    /// may not take that action on the workspace.
    public func createBuild(
        on workspace: WorkspaceView, transition: WorkspaceTransition, reason: BuildReason = .initiator,
        overriding: [String: String] = [:], forbidden: @autoclosure () -> APIError
    ) async throws {
        guard authorizer.may(Self.action(of: transition), workspace.object) else { throw forbidden() }
        try await database.createBuild(
            workspaceID: workspace.id, transition: transition, initiatorID: actor.id, reason: reason, overriding: overriding)
    }

    /// Coder's 403 for a build the caller may read but not make, as the task routes (and a
    /// workspace's delete) word it.
    public static func buildForbidden(_ transition: WorkspaceTransition) -> APIError {
        APIError(403, "You do not have permission to \(transition.rawValue) this workspace.", detail: APIError.forbiddenDetail)
    }

    private static func action(of transition: WorkspaceTransition) -> WorkspaceAction {
        switch transition {
        case .start: .start
        case .stop: .stop
        case .delete: .delete
        }
    }

    /// Cancelling a build is updating its workspace: 404 when the build's workspace is not
    /// readable, 403 when it may not be updated.
    public func cancelBuild(id buildID: String) async throws {
        guard let workspaceID = try await database.workspaceID(ofBuild: buildID) else { throw APIError.notFound }
        let view = try await workspace(id: workspaceID)
        guard authorizer.may(.update, view.object) else {
            throw APIError(403, "Forbidden.", detail: APIError.forbiddenDetail)
        }
        try await database.cancelBuild(id: buildID)
    }

    /// Coder keeps one flag per workspace, for its owner.
    public func setFavorite(_ value: Bool, on workspace: WorkspaceView) async throws {
        guard workspace.ownerID == actor.id else {
            throw APIError(403, "You can only favorite workspaces that you own.")
        }
        try await database.setFavorite(workspaceID: workspace.id, value)
    }

    /// tasks-api.md §1.2.1: creating a workspace for `ownerID` with a version of
    /// `organizationID` named `templateName`; the two 403s in the reference's order.
    public func authorizeCreate(ownerID: String, organizationID: String, templateName: String) throws {
        guard authorizer.may(.create, WorkspaceObject(ownerID: ownerID, organizationID: organizationID)) else {
            throw APIError(403, "Unauthorized to create workspace.", detail: Self.createForbiddenDetail)
        }
        guard authorizer.mayUseTemplate(organizationID: organizationID) else {
            throw APIError(403, "Unauthorized access to use the template \"\(templateName)\".", detail: Self.useForbiddenDetail)
        }
    }

    /// Inserts the workspace as the caller, checked again so no path writes one unchecked.
    public func createWorkspace(_ new: NewWorkspace, templateName: String) async throws -> String {
        try authorizeCreate(ownerID: new.ownerID, organizationID: new.organizationID, templateName: templateName)
        var new = new
        new.initiatorID = actor.id
        return try await database.createWorkspace(new)
    }

    public static let createForbiddenDetail =
        "You are unable to create a workspace in this organization. It is possible to have access to the template, but not be able to create a workspace. Please contact an administrator about your permissions if you feel this is an error."
    public static let useForbiddenDetail =
        "Although you are able to view the template, you are unable to create a workspace using it. Please contact an administrator about your permissions if you feel this is an error."

    // MARK: Lists (filtered inside the SQL, Store/AuthorizationFilters.swift)

    /// One page of the workspaces matching a search that the caller may read, and how many
    /// match in all (tasks-api.md §6), each row as `render` makes it (the task list's JSON).
    public func renderedWorkspaces(
        filter: WorkspaceFilter, pagination: Pagination, now: Double,
        render: @escaping @Sendable (WorkspaceView) -> (bytes: [UInt8], validUntil: Double)
    ) async throws -> (rows: [[UInt8]], total: Int) {
        try await database.listRenderedWorkspaces(
            filter: filter, authorizer: authorizer, pagination: pagination, now: now, render: render)
    }

    public func tasks(filter: TaskFilter, pagination: Pagination?) async throws -> (tasks: [TaskRow], total: Int) {
        try await database.listTasks(filter: filter, authorizer: authorizer, pagination: pagination)
    }

    /// The prompts of the builds of readable workspaces (tasks-api.md §1.1).
    public func prompts(buildIDs: [String]) async throws -> [String: String] {
        try await database.prompts(buildIDs: buildIDs, authorizer: authorizer)
    }
}
