import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET …/tasks/{user}/{task}/watch` (issue #17): a task's events as Server-Sent Events.
struct TaskWatchController {
    let layer: AuthorizingLayer
    let hubs: TaskWatchHubs
    let changes: TaskChangeFeed
    let options: TaskWatchOptions

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/tasks/{user}/{task}/watch", use: watch)
        group.get("/api/experimental/tasks/{user}/{id}/watch", use: watchExperimental)
        group.get("/api/v2/tasks/watch", use: watchAll)
    }

    @Sendable func watch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (caller, task) = try await TaskRequest.resolveTask(context, layer)
        // Authorised like logs: reading the task and connecting to its app; 404 otherwise.
        let access = try await TaskAppV2Controller(layer: layer).authorizeInput(task, caller)
        return try await stream(access, request, context)
    }

    /// The experimental API names a task by its workspace id.
    @Sendable func watchExperimental(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        _ = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
        let access = try await store.appAccess(toTaskOfWorkspace: try TaskAppController.taskID(context))
        return try await stream(access, request, context)
    }

    /// Resumes after `Last-Event-ID`, or `?after=` for clients that cannot set headers.
    private func stream(_ access: TaskAppAccess, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let after = request.headers[HTTPField.Name("Last-Event-ID")!] ?? request.goQuery.first("after")
        let channel = context.channel
        guard let attachment = await hubs.attach(access, after: after, cutOff: { channel?.close(promise: nil) }) else {
            throw APIError.notFound
        }
        return Self.eventStream(request) { write in
            for await frames in attachment.frames { try await write(frames) }
        } onEnd: {
            await attachment.hub.detach(attachment.id)
        } onShutdown: {
            // Ends the frames at once (this callback cannot wait); `onEnd` then detaches.
            attachment.end()
        }
    }

    /// An SSE response: `body` writes frames until it returns, the client leaves or the server stops.
    static func eventStream(
        _ request: Request, _ body: @escaping @Sendable (_ write: ([WatchFrame]) async throws -> Void) async throws -> Void,
        onEnd: @escaping @Sendable () async -> Void, onShutdown: @escaping @Sendable () -> Void = {}
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await withGracefulShutdownHandler {
                        try await body { frames in
                            // Frames go out in writes of about 64 KiB: a backlog of thousands is a few writes.
                            var buffer = ByteBuffer()
                            for frame in frames {
                                if let id = frame.id { buffer.writeString("id: \(id)\n") }
                                buffer.writeString(frame.body)
                                if buffer.readableBytes >= 65536 {
                                    try await writer.write(buffer)
                                    buffer = ByteBuffer()
                                }
                            }
                            if buffer.readableBytes > 0 { try await writer.write(buffer) }
                        }
                    } onGracefulShutdown: {
                        onShutdown()
                    }
                }
            } catch {
                // The client left, was cut off, or the server is stopping.
            }
            await onEnd()
            try? await writer.finish(nil)
        })
    }
}
