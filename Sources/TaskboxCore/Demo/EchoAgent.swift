import Hummingbird
import Logging
import ServiceLifecycle

/// How the echo agent behaves.
public struct EchoAgentOptions: Sendable {
    public static let defaultGreeting = "Echo agent ready. Send a message and it comes back as \"Echo: <message>\"."
    public static let defaultAllowedHosts = AgentAPIServer.defaultAllowedHosts

    /// Time between accepting a user message and writing the reply (agentapi.md §6.2 `thinkMs`).
    public var replyDelay: Duration
    public var greeting: String
    /// What `/status` and `status_change` report as `agent_type`.
    public var agentType: String
    /// Handled like a first user message at start-up (agentapi.md §2.2, `--initial-prompt`).
    public var initialPrompt: String?
    /// Host names accepted in the Host header; `*` accepts any (agentapi.md §2.5).
    public var allowedHosts: [String]
    /// Receives `idle` at start-up, `working` per accepted user message, `idle` per reply.
    public var reporter: (any AppStatusReporter)?
    public var logger: Logger
    /// When set, every request must carry `Authorization: Bearer <token>` (AgentTokenMiddleware).
    public var requiredToken: String?

    public init(
        replyDelay: Duration = .milliseconds(300), greeting: String = EchoAgentOptions.defaultGreeting,
        agentType: String = "custom", initialPrompt: String? = nil,
        allowedHosts: [String] = EchoAgentOptions.defaultAllowedHosts,
        reporter: (any AppStatusReporter)? = nil, logger: Logger = Logger(label: "agentapi-echo")
    ) {
        self.replyDelay = replyDelay
        self.greeting = greeting
        self.agentType = agentType
        self.initialPrompt = initialPrompt
        self.allowedHosts = allowedHosts
        self.reporter = reporter
        self.logger = logger
    }

    /// What a workspace gives the agent: the task prompt in `TASKBOX_PARAM_AI_PROMPT` and,
    /// when all of `CODER_AGENT_URL`, `CODER_AGENT_TOKEN` and `CODER_MCP_APP_STATUS_SLUG`
    /// are set, a reporter to taskbox's app-status endpoint (tasks-api.md §8.1).
    public static func fromEnvironment(
        _ environment: [String: String], replyDelay: Duration = .milliseconds(300),
        logger: Logger = Logger(label: "agentapi-echo")
    ) -> EchoAgentOptions {
        var options = EchoAgentOptions(
            replyDelay: replyDelay, initialPrompt: TaskPrompt.read(from: environment),
            reporter: CoderAppStatusReporter(environment: environment, logger: logger), logger: logger)
        options.requiredToken = environment["CODER_AGENT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return options
    }
}

/// An agentapi-compatible server that answers every message with `Echo: <message>`: the
/// stand-in for a real coding agent in taskbox's demo and tests (agentapi.md §6), shipped
/// as `taskbox agentapi-echo`.
public struct EchoAgent: Sendable {
    public let options: EchoAgentOptions

    public init(options: EchoAgentOptions = EchoAgentOptions()) {
        self.options = options
    }

    /// Serves on 127.0.0.1:`port` (0 picks a free port, passed to `onListening`) until
    /// SIGTERM or SIGINT, then stops gracefully: open event streams end, the server closes.
    public func run(port: Int, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await buildApplication(port: port, onListening: onListening)
            .runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// The whole agent as a Hummingbird application, for tests to run with `.live`, in a
    /// task group they cancel, or in their own `ServiceGroup`.
    public func buildApplication(
        host: String = "127.0.0.1", port: Int, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        buildApplication(host: host, port: port, state: makeState(), onListening: onListening)
    }

    func makeState() -> EchoAgentState {
        EchoAgentState(greeting: options.greeting, agentType: options.agentType, initialPrompt: options.initialPrompt)
    }

    func buildApplication(
        host: String, port: Int, state: EchoAgentState, onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        AgentAPIServer(
            input: state, allowedHosts: options.allowedHosts, requiredToken: options.requiredToken, logger: options.logger
        ).buildApplication(
            host: host, port: port,
            services: [EchoAgentWorker(state: state, replyDelay: options.replyDelay, reporter: options.reporter)],
            onListening: onListening)
    }
}

/// The agent's own work beside the HTTP server: writing replies after the delay and
/// sending app status reports in order, so a slow taskbox never delays a reply.
struct EchoAgentWorker: Service {
    let state: EchoAgentState
    let replyDelay: Duration
    let reporter: (any AppStatusReporter)?

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await writeReplies() }
                group.addTask { await sendReports() }
            }
        }
        await state.close()
    }

    private func writeReplies() async {
        for await content in state.pendingReplies {
            do {
                try await Task.sleep(for: replyDelay)
            } catch {
                return
            }
            await state.reply(to: content)
        }
    }

    private func sendReports() async {
        for await update in state.reports {
            await reporter?.report(update)
        }
    }
}
