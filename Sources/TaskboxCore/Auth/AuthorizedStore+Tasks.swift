import Foundation

/// Tasks through the authorizing layer (tasks-v2.md §1.5, §1.6): a task the caller may not
/// read is the 404 of a missing one.
extension AuthorizedStore {
    /// §1.5: a UUID is looked up first (anyone's task, if readable); otherwise, or when no
    /// task has that id, the name among `ownerID`'s tasks, ignoring case.
    public func task(idOrName raw: String, ownerID: String) async throws -> TaskRow {
        if let id = try? GoUUID.parse(raw).lowercased, let task = try await task(id: id) { return task }
        guard let task = try await database.task(ownerID: ownerID, name: raw), authorizer.may(.read, task.object) else {
            throw APIError.notFound
        }
        return task
    }

    /// A task by id: nil when there is none, 404 when the caller may not read it.
    public func task(id: String) async throws -> TaskRow? {
        guard let task = try await database.task(id: id) else { return nil }
        guard authorizer.may(.read, task.object) else { throw APIError.notFound }
        return task
    }

    /// The task of a workspace read through this layer (the experimental API names a task by
    /// its workspace).
    public func task(of workspace: WorkspaceView) async throws -> TaskRow? {
        try await database.task(workspaceID: workspace.id)
    }

    /// The task's workspace, read as the caller; `missing` answers a task without one.
    public func workspace(of task: TaskRow, missing: APIError) async throws -> WorkspaceView {
        guard let id = task.workspaceID else { throw missing }
        return try await workspace(id: id)
    }

    /// The caller may connect to the task's app (send, logs, the queue, watch); 404 otherwise,
    /// `missing` for a task without a workspace.
    public func appAccess(to task: TaskRow, missing: APIError) async throws -> TaskAppAccess {
        guard let id = task.workspaceID else { throw missing }
        return TaskAppAccess(task: task, workspace: try await workspaceForApp(id: id))
    }

    /// The experimental API names a task by its workspace: the caller may connect to that
    /// workspace's app (404 otherwise), and the workspace has a task (404 otherwise).
    public func appAccess(toTaskOfWorkspace id: String) async throws -> TaskAppAccess {
        let view = try await workspaceForApp(id: id)
        guard let task = try await task(of: view) else { throw APIError.notFound }
        return TaskAppAccess(task: task, workspace: view)
    }

    /// Tasks read through this layer as the JSON of tasks-v2.md §2.1, with one read of their
    /// workspaces.
    public func responses(_ rows: [TaskRow]) async throws -> [TaskResponse] {
        let workspaces = try await database.workspaceViews(ids: rows.compactMap(\.workspaceID))
        let now = Date().timeIntervalSince1970
        return rows.map { $0.response(workspace: $0.workspaceID.flatMap { workspaces[$0] }, now: now) }
    }

    /// The stored log snapshot of a readable task (tasks-v2.md §3.7: the logs of a task that is
    /// not active); 404 when the caller may not read the task.
    public func snapshot(of task: TaskRow) async throws -> StoredTaskSnapshot? {
        guard authorizer.may(.read, task.object) else { throw APIError.notFound }
        return try await database.taskSnapshot(taskID: task.id)
    }

    /// The task's bound app (send, logs): reached only with a `TaskAppAccess`.
    func sidebarApp(of access: TaskAppAccess) async throws -> SidebarApp? {
        guard let appID = access.task.appID else { return nil }
        return try await database.sidebarApp(jobID: nil, appID: appID)
    }

    /// The sidebar app of a workspace's latest build (tasks-api.md §1.8), for a workspace whose
    /// app the caller may connect to (`workspaceForApp(id:)`); 404 otherwise.
    func sidebarApp(appID: String, ofLatestBuildOf workspace: WorkspaceView) async throws -> SidebarApp? {
        guard authorizer.may(.applicationConnect, workspace.object), let build = workspace.build else { throw APIError.notFound }
        return try await database.sidebarApp(jobID: build.jobID, appID: appID)
    }

    // MARK: The follow-up queue (issue #17): reached only with a `TaskAppAccess`.

    public func queuedInputs(_ access: TaskAppAccess) async throws -> [QueuedInput] {
        try await database.queuedInputs(taskID: access.task.id)
    }

    /// Whether a readable task has inputs queued (a send with `"queue": true` goes behind them).
    public func hasQueuedInputs(_ task: TaskRow) async throws -> Bool {
        guard authorizer.may(.read, task.object) else { throw APIError.notFound }
        return try await database.hasQueuedInputs(taskID: task.id)
    }

    public func enqueue(_ input: String, _ access: TaskAppAccess) async throws -> QueuedInput {
        try await database.enqueueInput(taskID: access.task.id, input: input, createdBy: actor.id)
    }

    /// False when the input is gone (delivered or withdrawn) or not of this task.
    public func withdrawQueuedInput(id: String, _ access: TaskAppAccess) async throws -> Bool {
        try await database.withdrawQueuedInput(taskID: access.task.id, id: id)
    }

    /// §3.4's last step: marks the task deleted; Coder answers a caller who may not delete
    /// it with this 500.
    public func markDeleted(_ task: TaskRow) async throws {
        guard authorizer.may(.delete, task.object) else {
            throw APIError(500, "Failed to delete task", detail: "unauthorized")
        }
        try await database.markTaskDeleted(id: task.id)
    }

    /// §3.5: a caller who may not update the task gets the 404.
    public func updatePrompt(of task: TaskRow, to prompt: String) async throws {
        guard authorizer.may(.update, task.object) else { throw APIError.notFound }
        try await database.updateTaskPrompt(id: task.id, prompt: prompt)
    }
}

/// Proof that the caller may connect to a task's app: only `AuthorizedStore.appAccess(to:missing:)`
/// makes one (its initializer is private to this file), so the queue cannot be read or written
/// without that check.
public struct TaskAppAccess: Sendable {
    public let task: TaskRow
    public let workspace: WorkspaceView

    fileprivate init(task: TaskRow, workspace: WorkspaceView) {
        self.task = task
        self.workspace = workspace
    }
}
