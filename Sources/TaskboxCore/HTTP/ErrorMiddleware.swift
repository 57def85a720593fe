import Foundation
import Hummingbird
import Logging
import NIOCore

/// Turns every thrown error into Coder's envelope: `APIError` as it is, the store's refusals
/// as `APIError(_: StoreRefusal)` says, the router's own
/// errors (unknown route, body too large) with Coder-style messages, anything else as 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// taskbox.md §5: bodies over 1 MiB.
    static let tooLarge = APIError(413, "Request body is too large.", detail: "The limit is 1 MiB (1048576 bytes).")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as InternalError {
            return Self.internalError(error.message, String(describing: error.cause), context: context)
        } catch let error as APIError {
            return JSONResponse.error(error)
        } catch let refusal as StoreRefusal {
            return JSONResponse.error(APIError(refusal))
        } catch is NIOTooManyBytesError {
            return JSONResponse.error(Self.tooLarge)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound, .methodNotAllowed:
                return JSONResponse.error(.routeNotFound)
            case .contentTooLarge:
                return JSONResponse.error(Self.tooLarge)
            default:
                return JSONResponse.error(APIError(Int(error.status.code), error.body ?? error.status.reasonPhrase))
            }
        } catch {
            return Self.internalError(Self.internalMessage, String(describing: error), context: context)
        }
    }

    static let internalMessage = "Internal error processing the request."

    /// A 500 never shows its cause (SQL, file paths, library errors) to the client: the cause
    /// is logged with a request id, and the client gets Coder's message and that id.
    static func internalError(_ message: String, _ cause: String, context: Context) -> Response {
        let requestID = UUID().uuidString.lowercased()
        context.logger.error("internal error", metadata: [
            "request_id": .string(requestID), "message": .string(message), "error": .string(cause),
        ])
        return JSONResponse.error(APIError(500, message, detail: "The cause is in the server log under request id \(requestID)."))
    }
}
