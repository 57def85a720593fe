import Hummingbird

/// The follow-up queue of a v2 task (issue #17): `send` with `"queue": true`, and the queue's
/// listing and withdrawal. Delivery is `TaskQueueWorker`'s.
extension TaskAppV2Controller {
    func addQueueRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/tasks/{user}/{task}/queue", use: listQueue)
        group.delete("/api/v2/tasks/{user}/{task}/queue/{id}", use: withdraw)
    }

    /// Sends at once when the agent can take the input (answered as a plain send); otherwise
    /// stores it: behind inputs already queued, while the agent is busy or the task starting,
    /// and while paused (the task is then resumed). An errored task is refused as a send is.
    func sendOrQueue(_ input: String, _ task: TaskRow, _ caller: TaskRequest) async throws -> Response {
        switch task.status {
        case .error, .unknown:
            _ = try await appClient(task, caller)
        case .pending, .initializing:
            break
        case .paused:
            let access = try await authorizeInput(task, caller)
            try await TaskLifecycleController(layer: layer, jobs: jobs).startResumeBuild(task, access.workspace, caller)
            jobs.enqueued()
        case .active:
            if try await !caller.store.hasQueuedInputs(task) {
                let client = try await appClient(task, caller)
                do {
                    try await TaskAppConversation.send(input, via: client, busyStatus: 409)
                    return Response(status: .noContent)
                } catch let error as APIError where error.status == 409 {
                    // Busy: queued below.
                }
            }
        }
        let queued = try await caller.store.enqueue(input, try await authorizeInput(task, caller))
        return JSONResponse.make(writing: QueuedAnswer(entry: queued), status: .accepted)
    }

    /// Queueing, listing and withdrawing need what a send needs: connecting to the task's app.
    @discardableResult
    func authorizeInput(_ task: TaskRow, _ caller: TaskRequest) async throws -> TaskAppAccess {
        try await caller.store.appAccess(to: task, missing: APIError(400, "Task does not have a workspace."))
    }

    @Sendable func listQueue(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        let access = try await authorizeInput(task, caller)
        return JSONResponse.make(writing: QueueListing(entries: try await caller.store.queuedInputs(access)))
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        let access = try await authorizeInput(task, caller)
        let raw = context.parameters.get("id") ?? ""
        guard let id = try? GoUUID.parse(raw).lowercased else { throw APIError(400, "Invalid UUID \"\(raw)\" for queued input ID.") }
        // Already delivered or withdrawn: gone, like any missing resource.
        guard try await caller.store.withdrawQueuedInput(id: id, access) else { throw APIError.notFound }
        return Response(status: .noContent)
    }

    /// `{"queued":true,"id","position"}`.
    struct QueuedAnswer: JSONWritable {
        var entry: QueuedInput
        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.field("queued", true)
            json.field("id", entry.id)
            json.field("position", entry.position)
            json.endObject()
        }
    }

    /// `{"queue":[{"id","position","input","created_at","attempts","last_error"?}]}` in delivery order.
    struct QueueListing: JSONWritable {
        var entries: [QueuedInput]
        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.key("queue")
            json.beginArray()
            for entry in entries {
                json.beginObject()
                json.field("id", entry.id)
                json.field("position", entry.position)
                json.field("input", entry.input)
                json.field("created_at", entry.createdAt)
                json.field("attempts", entry.attempts)
                if let error = entry.lastError { json.field("last_error", error) }
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
    }
}
