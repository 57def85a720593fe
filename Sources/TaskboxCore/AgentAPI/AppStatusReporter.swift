import AsyncHTTPClient
import Logging
import NIOCore

/// One report of what an agent is doing (`agentsdk.PatchAppStatus`, tasks-api.md §8.1).
public struct AppStatusUpdate: Sendable, Equatable {
    public var state: AppStatusState
    public var message: String

    public init(state: AppStatusState, message: String) {
        self.state = state
        self.message = message
    }

    public static func working(_ message: String) -> AppStatusUpdate { AppStatusUpdate(state: .working, message: message) }
    public static func idle(_ message: String) -> AppStatusUpdate { AppStatusUpdate(state: .idle, message: message) }
    public static func failure(_ message: String) -> AppStatusUpdate { AppStatusUpdate(state: .failure, message: message) }
}

/// Where an agent (the echo agent, the built-in adapters) sends its state. Tests inject a recorder; the shipped agent
/// reports to taskbox with `CoderAppStatusReporter`.
public protocol AppStatusReporter: Sendable {
    /// Must not throw: reporting is best effort and never breaks the agent.
    func report(_ update: AppStatusUpdate) async
}

/// Reports to `PATCH <agent URL>/api/v2/workspaceagents/me/app-status` with the workspace
/// agent token, as Coder's in-workspace tooling does (tasks-api.md §8.1). A report that
/// cannot be delivered (no answer, or a 5xx) is tried `attempts` times in all (the adapters
/// use 3, agents.md §3), then logged and dropped; one taskbox refuses with a 4xx is dropped at once.
public struct CoderAppStatusReporter: AppStatusReporter {
    public var agentURL: String
    public var token: String
    public var appSlug: String
    private let transport: AgentHTTPTransport
    private let logger: Logger

    /// coderd refuses messages over 160 bytes (tasks-api.md §8.2 step 3).
    static let maxMessageBytes = 160

    let attempts: Int
    let retryDelay: Duration

    public init(
        agentURL: String, token: String, appSlug: String, logger: Logger, requestTimeout: Duration = .seconds(10),
        attempts: Int = 1, retryDelay: Duration = .milliseconds(500)
    ) {
        self.attempts = max(1, attempts)
        self.retryDelay = retryDelay
        self.agentURL = agentURL
        self.token = token
        self.appSlug = appSlug
        self.logger = logger
        self.transport = AgentHTTPTransport(httpClient: nil, connectTimeout: .seconds(5), requestTimeout: requestTimeout)
    }

    /// Built from `CODER_AGENT_URL`, `CODER_AGENT_TOKEN` and `CODER_MCP_APP_STATUS_SLUG`;
    /// nil unless all three are set and non-empty.
    public init?(environment: [String: String], logger: Logger, attempts: Int = 1) {
        guard let url = environment["CODER_AGENT_URL"], !url.isEmpty,
              let token = environment["CODER_AGENT_TOKEN"], !token.isEmpty,
              let slug = environment["CODER_MCP_APP_STATUS_SLUG"], !slug.isEmpty
        else { return nil }
        self.init(agentURL: url, token: token, appSlug: slug, logger: logger, attempts: attempts)
    }

    var endpoint: String {
        var base = agentURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/api/v2/workspaceagents/me/app-status"
    }

    /// `{"app_slug":…,"state":…,"message":…}` as Go's `json.Marshal` writes it.
    static func body(slug: String, update: AppStatusUpdate) -> String {
        GoJSON.object([
            (key: "app_slug", value: .string(slug)),
            (key: "state", value: .string(update.state.rawValue)),
            (key: "message", value: .string(truncated(update.message))),
        ]).encoded(escapeHTML: true)
    }

    /// Cut on a character boundary so the text stays valid UTF-8.
    static func truncated(_ message: String) -> String {
        guard message.utf8.count > maxMessageBytes else { return message }
        var cut = ""
        for character in message {
            if cut.utf8.count + character.utf8.count > maxMessageBytes - 3 { break }
            cut.append(character)
        }
        return cut + "…"
    }

    public func report(_ update: AppStatusUpdate) async {
        for attempt in 1...attempts {
            if await deliver(update, final: attempt == attempts) { return }
            try? await Task.sleep(for: retryDelay)
        }
    }

    /// One try; true when there is nothing left to retry.
    private func deliver(_ update: AppStatusUpdate, final: Bool) async -> Bool {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .PATCH
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Coder-Session-Token", value: token)
        request.body = .bytes(ByteBuffer(string: Self.body(slug: appSlug, update: update)))
        do {
            let reply = try await transport.exchange(request)
            if reply.status.code >= 300 {
                let retry = reply.status.code >= 500 && !final
                logger.warning(retry ? "app status report refused, retrying" : "app status report refused", metadata: [
                    "state": "\(update.state.rawValue)", "status": "\(reply.status.code)",
                    "body": "\(AgentAPIClient.quote(reply.body))",
                ])
                return !retry
            }
            return true
        } catch {
            logger.warning(final ? "app status report failed" : "app status report failed, retrying", metadata: [
                "state": "\(update.state.rawValue)",
                "error": "\(AgentAPIClient.describe(error, method: .PATCH, url: endpoint, timeout: transport.requestTimeout))",
            ])
            return final
        }
    }
}
