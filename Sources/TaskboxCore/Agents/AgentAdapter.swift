import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// What every built-in adapter takes (agents.md, the command lines at the top).
public struct AgentAdapterOptions: Sendable {
    public var host: String
    public var port: Int
    /// The agent's working directory, where `.taskbox/agent/` keeps the state.
    public var directory: URL
    public var initialPrompt: String?
    public var approve: ApprovePolicy
    public var allowedHosts: [String]
    /// When set, requests must carry `Authorization: Bearer <token>` (taskbox sends the agent token).
    public var requiredToken: String?
    public var reporter: (any AppStatusReporter)?
    /// What the agent process is given: the adapter's own environment by default.
    public var environment: [String: String]
    public var logger: Logger

    public init(
        host: String = "127.0.0.1", port: Int, directory: URL, initialPrompt: String?, approve: ApprovePolicy = .all,
        allowedHosts: [String] = EchoAgentOptions.defaultAllowedHosts, reporter: (any AppStatusReporter)?,
        environment: [String: String], logger: Logger
    ) {
        self.host = host
        self.port = port
        self.directory = directory
        self.initialPrompt = initialPrompt
        self.approve = approve
        self.allowedHosts = allowedHosts
        self.reporter = reporter
        self.environment = environment
        self.logger = logger
    }

    /// agents.md §4: `--initial-prompt` when given (an explicitly empty one means none), else
    /// the task prompt (the file `$TASKBOX_TASK_PROMPT_FILE`, `$TASKBOX_TASK_PROMPT`,
    /// `$TASKBOX_PARAM_AI_PROMPT`: TaskPrompt).
    public static func initialPrompt(option: String?, environment: [String: String]) -> String? {
        if let option { return option }
        return TaskPrompt.read(from: environment)
    }
}

/// A built-in adapter (agents.md): the agentapi protocol upward, one agent's own protocol
/// downward through its driver, the session between them.
public struct AgentAdapter: Sendable {
    let options: AgentAdapterOptions
    let session: AgentSession
    let driver: any AgentDriver

    init(options: AgentAdapterOptions, driver: any AgentDriver, readyText: String, agentType: String, transport: String) throws {
        self.options = options
        self.driver = driver
        session = try AgentSession(
            driver: driver, readyText: readyText, agentType: agentType, transport: transport,
            stateFile: AgentStateFile(workingDirectory: options.directory), logger: options.logger)
    }

    /// `taskbox agent claude` (agents.md §5). The binary is `binary`, else
    /// `$TASKBOX_CLAUDE_BIN`, else `claude` on PATH.
    public static func claude(options: AgentAdapterOptions, binary: String?, arguments: [String]) throws -> AgentAdapter {
        let program = binary ?? options.environment["TASKBOX_CLAUDE_BIN"].flatMap { $0.isEmpty ? nil : $0 } ?? "claude"
        let driver = ClaudeDriver(
            binary: program, arguments: arguments, directory: options.directory, environment: options.environment,
            approve: options.approve, logger: options.logger)
        return try AgentAdapter(
            options: options, driver: driver, readyText: "Claude Code is ready. Send a message to start.",
            agentType: "claude", transport: "stream-json")
    }

    /// `taskbox agent acp -- COMMAND ARGS` (agents.md §6).
    public static func acp(options: AgentAdapterOptions, command: [String]) throws -> AgentAdapter {
        let driver = ACPDriver(
            command: command, directory: options.directory, environment: options.environment, approve: options.approve,
            logger: options.logger)
        return try AgentAdapter(
            options: options, driver: driver, readyText: "The ACP agent is ready. Send a message to start.",
            agentType: "acp", transport: "acp")
    }

    /// Serves until SIGTERM or SIGINT, then stops the agent, saves and returns.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await buildApplication(onListening: onListening).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    public func buildApplication(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        AgentAPIServer(
            input: session, allowedHosts: options.allowedHosts, requiredToken: options.requiredToken, logger: options.logger
        ).buildApplication(
            host: options.host, port: options.port,
            services: [AgentSessionWorker(session: session, driver: driver, reporter: options.reporter, initialPrompt: options.initialPrompt)],
            onListening: onListening)
    }
}

/// The adapter's work beside its HTTP server: the initial prompt, the driver's events into the
/// session, the reports out in order (never holding up the agent), and the stop on shutdown.
struct AgentSessionWorker: Service {
    let session: AgentSession
    let driver: any AgentDriver
    let reporter: (any AppStatusReporter)?
    let initialPrompt: String?

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await update in session.reports { await reporter?.report(update) }
            }
            group.addTask { await driver.children.run() }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await session.begin(initialPrompt: initialPrompt)
                    for await event in driver.events { await session.handle(event) }
                }
                // Not cancelled with the service (an unstructured task is the only shield from
                // cancellation): stopping the agent takes its grace period.
                await Task { await session.shutdown() }.value
                await session.conversation.close()
                session.children.finish()
                driver.children.finish()
            }
            // The session's deliveries and interrupt timers, until it has shut down.
            await session.children.run()
            // Reports still queued are dropped: a stopping adapter must not wait on taskbox.
            group.cancelAll()
        }
    }
}
