import Hummingbird

/// agentapi's Host check, which runs before anything else (agentapi.md §2.5): the host
/// part of the Host header, port ignored, must be one of the allowed names; `*` allows all.
struct AgentHostCheckMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let allowedHosts: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard allowedHosts.contains("*") || allowedHosts.contains(Self.hostname(request.head.authority ?? "")) else {
            return HumaResponse.plainText(
                "Invalid host header. Allowed hosts: \(allowedHosts.joined(separator: ", "))", status: .badRequest)
        }
        return try await next(request, context)
    }

    /// `localhost:3284` → `localhost`, `[::1]:3284` → `::1`.
    static func hostname(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if authority.filter({ $0 == ":" }).count == 1, let colon = authority.firstIndex(of: ":") {
            return String(authority[..<colon])
        }
        return authority
    }
}

/// chi's defaults for what no route handles (agentapi.md §2.5): `404 page not found` as
/// text, and a bare 405 for a known path with the wrong method.
struct ChiNotFoundMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let knownPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if knownPaths.contains(request.uri.path) {
                return Response(status: .methodNotAllowed)
            }
            return HumaResponse.plainText("404 page not found", status: .notFound)
        }
    }
}
