import Crypto
import Foundation
import Hummingbird

/// The built-in agents answer only whoever holds their agent token: taskbox sends
/// `Authorization: Bearer <CODER_AGENT_TOKEN>` on every call and healthcheck, so another
/// local user or app cannot drive an agent by its loopback port (README "Security model").
struct AgentTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented = request.headers[.authorization] ?? ""
        let expected = "Bearer " + token
        // Compared as digests, so the time taken says nothing about the token.
        guard SHA256.hash(data: Data(presented.utf8)) == SHA256.hash(data: Data(expected.utf8)) else {
            return HumaResponse.plainText("Unauthorized: send Authorization: Bearer <the agent token>", status: .unauthorized)
        }
        return try await next(request, context)
    }
}
