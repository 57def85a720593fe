import Foundation
import Hummingbird

/// Endpoints a workspace agent calls with its agent token (tasks-api.md §8).
struct AgentController {
    let store: SystemStore<AgentTokenRole>

    func addRoutes(to router: Router<AppRequestContext>) {
        router.patch("/api/v2/workspaceagents/me/app-status", use: appStatus)
    }

    /// Coder's workspace-agent authentication: the same token channels as users, a UUID token
    /// that belongs to an agent of its workspace's latest build.
    func authenticate(_ request: Request) async throws -> AuthenticatedAgent {
        guard let token = AuthMiddleware.token(from: request) else {
            throw APIError(401, "Cookie \"coder_session_token\" must be provided.")
        }
        guard let uuid = try? GoUUID.parse(token) else {
            throw APIError(401, "Workspace agent token invalid.", detail: "An agent token must be a valid UUIDv4. (len \(token.utf8.count))")
        }
        guard let agent = try await store.agent(token: uuid.lowercased) else {
            throw APIError(401, "Workspace agent not authorized.",
                           detail: "The agent cannot authenticate until the workspace provision job has been completed. If the job is no longer running, this agent is invalid.")
        }
        return agent
    }

    static let maxURIBytes = 2048

    @Sendable func appStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try await authenticate(request)
        let body = try await RequestBody.read(request, context: context, as: "PatchAppStatus")
        let slug = try body.string("app_slug")
        let requestedState = try body.string("state")
        let message = try body.string("message")
        let uri = try body.string("uri")
        guard let appID = try await store.appID(of: agent, slug: slug) else {
            throw APIError(400, "Failed to get workspace app.", detail: "No app found with slug \"\(slug)\"")
        }
        // Coder stores `uri` as text without a limit; taskbox caps it at the length browsers and
        // link checkers still handle, so a status row stays small.
        if uri.utf8.count > Self.maxURIBytes {
            let detail = "URI must be at most \(Self.maxURIBytes) bytes."
            throw APIError(400, "URI is too long.", detail: detail, validations: [ValidationFailure(field: "uri", detail: detail)])
        }
        if message.utf8.count > 160 {
            let detail = "Message must be less than 160 characters."
            throw APIError(400, "Message is too long.", detail: detail, validations: [ValidationFailure(field: "message", detail: detail)])
        }
        guard let state = AppStatusState(rawValue: requestedState) else {
            // Coder's text leaves out `idle`, although `idle` is accepted.
            throw APIError(400, "Invalid state provided.", detail: "invalid state: \"\(requestedState)\"",
                           validations: [ValidationFailure(field: "state", detail: "State must be one of: complete, failure, working.")])
        }
        try await store.insertAppStatus(
            agent: agent, appID: appID, state: state, message: StatusMessage.sanitize(message), uri: uri)
        // Coder answers `httpapi.Write(ctx, rw, http.StatusOK, nil)`: `null`.
        return JSONResponse.make(writing: GoJSON.null)
    }
}

/// tasks-api.md §8.2 step 6: what is kept of an agent's status message.
enum StatusMessage {
    static func sanitize(_ raw: String) -> String {
        var text = unquoteGo(raw) ?? raw
        text = text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[ -/]*[@-~]", with: "", options: .regularExpression)
        text = String(String.UnicodeScalarView(text.unicodeScalars.filter { scalar in
            scalar.properties.isWhitespace || !(scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format || scalar.properties.generalCategory == .unassigned)
        }))
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Go's `strconv.Unquote("\"" + s + "\"")` for the common escapes; nil when it would fail.
    static func unquoteGo(_ s: String) -> String? {
        guard s.contains("\\") else { return nil }
        var out = ""
        var iterator = s.makeIterator()
        while let c = iterator.next() {
            if c == "\"" { return nil }
            guard c == "\\" else { out.append(c); continue }
            guard let e = iterator.next() else { return nil }
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            case "'": out.append("'")
            default: return nil
            }
        }
        return out
    }
}
