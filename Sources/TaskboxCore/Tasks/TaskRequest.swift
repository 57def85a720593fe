import Hummingbird
import NIOCore

/// What every v2 task route resolves first: the caller, the `{user}` segment and, on routes
/// that have it, the `{task}` segment (tasks-v2.md §1.4, §1.5), in that order.
struct TaskRequest {
    let store: AuthorizedStore
    let user: ResolvedUserParameter

    static func resolve(_ context: AppRequestContext, _ layer: AuthorizingLayer) async throws -> TaskRequest {
        let store = try context.store(layer)
        let user = try await store.resolveUserParameter(context.parameters.get("user") ?? "", unknownIsNotFound: true)
        return TaskRequest(store: store, user: user)
    }

    /// §1.5: the `{task}` segment, a UUID or a name of the `{user}`'s tasks, readable by the caller.
    func task(_ context: AppRequestContext) async throws -> TaskRow {
        let raw = context.parameters.get("task") ?? ""
        if raw.isEmpty { throw APIError(400, "\"task\" must be provided.") }
        return try await store.task(idOrName: raw, ownerID: user.userID)
    }

    /// Both resolutions of a `{user}/{task}` route.
    static func resolveTask(_ context: AppRequestContext, _ layer: AuthorizingLayer) async throws -> (TaskRequest, TaskRow) {
        let request = try await resolve(context, layer)
        return (request, try await request.task(context))
    }
}

/// Build errors as the v2 handlers write wsbuilder's: the message again as the detail
/// (tasks-v2.md §3.4: `A workspace build is already active.` twice).
func withBuildErrorDetail<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let refusal as StoreRefusal {
        var error = APIError(refusal)
        if error.detail == nil && error.status == 409 { error.detail = error.message }
        throw error
    } catch var error as APIError where error.detail == nil && error.status == 409 {
        error.detail = error.message
        throw error
    }
}

/// JSON bodies of the v2 routes: taskbox's cap with Coder's 413 wording (tasks-v2.md §1.2).
enum TaskBody {
    static func read(_ request: Request, context: AppRequestContext, as typeName: String) async throws -> RequestBody {
        try await read(request, limit: context.maxUploadSize) { bytes in try RequestBody.parse(bytes, typeName: typeName) }
    }

    static func read<T>(_ request: Request, limit: Int, _ parse: ([UInt8]) throws -> T) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(limit)
        }
        return try parse(Array(buffer.readableBytesView))
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(413, "Request body too large.", detail: "Maximum request body size is \(limit) bytes.")
    }
}
