import Hummingbird

/// Pause and resume (tasks-v2.md §3.9, §3.10): a stop or start build of the task's workspace
/// with the task reasons, answered 202 with that build.
struct TaskLifecycleController {
    let layer: AuthorizingLayer
    let jobs: JobNotifier

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/v2/tasks/{user}/{task}/pause", use: pause)
        group.post("/api/v2/tasks/{user}/{task}/resume", use: resume)
    }

    static let noWorkspace = APIError(500, "Task does not have a workspace.")

    /// No status precondition: pausing a paused task makes another stop build (§3.9).
    @Sendable func pause(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        let workspace = try await caller.store.workspace(of: task, missing: Self.noWorkspace)
        try await createBuild(workspace, .stop, .taskManualPause, caller)
        return try await answer(workspace, caller)
    }

    /// Only a `running` workspace is refused up front; a build in progress is the build
    /// layer's 409 (§3.10).
    @Sendable func resume(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        let workspace = try await caller.store.workspace(of: task, missing: Self.noWorkspace)
        try await startResumeBuild(task, workspace, caller)
        return try await answer(workspace, caller)
    }

    /// The resume's checks and its start build (the job runner is woken by `answer` or the
    /// caller); also what a queued send to a paused task does.
    func startResumeBuild(_ task: TaskRow, _ workspace: WorkspaceView, _ caller: TaskRequest) async throws {
        guard let latest = workspace.build else {
            throw APIError(500, "Internal error fetching task workspace build.", detail: "workspace has no build")
        }
        if latest.status == .running {
            throw APIError(409, "Task workspace is already running.", detail: "Workspace status is \"running\".")
        }
        // The prompt as it is now (it may have been edited while paused) reaches the app (§11.2).
        try await createBuild(workspace, .start, .taskResume, caller, overriding: ["AI Prompt": task.prompt])
    }

    /// The build as the caller, refused with Coder's 403 for the transition's action.
    private func createBuild(
        _ workspace: WorkspaceView, _ transition: WorkspaceTransition, _ reason: BuildReason, _ caller: TaskRequest,
        overriding: [String: String] = [:]
    ) async throws {
        try await withBuildErrorDetail {
            try await caller.store.createBuild(
                on: workspace, transition: transition, reason: reason, overriding: overriding,
                forbidden: AuthorizedStore.buildForbidden(transition))
        }
    }

    /// The new build as it stands, read before the job runner is woken.
    private func answer(_ workspace: WorkspaceView, _ caller: TaskRequest) async throws -> Response {
        let detail = try await caller.store.workspaceDetail(id: workspace.id)
        jobs.enqueued()
        guard let detail else { throw APIError.notFound }
        return JSONResponse.make(writing: BuildEnvelope(detail: detail), status: .accepted)
    }

    /// `PauseTaskResponse` / `ResumeTaskResponse`.
    struct BuildEnvelope: JSONWritable {
        var detail: WorkspaceDetail
        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.key("workspace_build")
            detail.writeLatestBuild(to: &json, sidebarApp: false)
            json.endObject()
        }
    }
}
