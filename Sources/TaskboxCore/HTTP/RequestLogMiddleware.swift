import Hummingbird
import Logging
import NIOCore

/// One structured log line per request on stderr. The query string is left out: it may carry
/// a session token (`coder_session_token`, `access_token`).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_us": .stringConvertible(micros),
                "remote": .string(context.remoteAddress),
            ])
        return response
    }
}
