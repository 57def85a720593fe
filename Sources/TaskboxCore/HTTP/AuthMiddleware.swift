import HTTPTypes
import Hummingbird

/// Authenticates every request it guards (tasks-api.md §1.0.4) and stores the actor in the
/// context. Token channels, first non-empty wins: cookie `coder_session_token`, query
/// `coder_session_token`, header `Coder-Session-Token`, `Authorization: Bearer`, query `access_token`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.actor = try await authenticator.authenticate(token: Self.token(from: request))
        return try await next(request, context)
    }

    static let sessionTokenName = "coder_session_token"
    static let sessionTokenHeader = HTTPField.Name("Coder-Session-Token")!

    static func token(from request: Request) -> String? {
        if let cookie = request.cookies[sessionTokenName]?.value, !cookie.isEmpty { return cookie }
        let query = request.goQuery
        let sessionToken = query.first(sessionTokenName)
        if !sessionToken.isEmpty { return sessionToken }
        if let header = request.headers[sessionTokenHeader], !header.isEmpty { return header }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty { return String(parts[1]) }
        }
        let accessToken = query.first("access_token")
        if !accessToken.isEmpty { return accessToken }
        return nil
    }
}
