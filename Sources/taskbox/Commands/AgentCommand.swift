import ArgumentParser
import Foundation
import Logging
import TaskboxCore

/// `taskbox agent …`: the built-in agent adapters (agents.md), each an agentapi server in
/// front of one agent driven through its own structured protocol.
struct Agent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a coding agent behind the agentapi protocol, without a terminal.",
        subcommands: [AgentClaude.self, AgentACP.self])
}

extension ApprovePolicy: ExpressibleByArgument {}

/// The options every adapter takes.
struct AgentAdapterArguments: ParsableArguments {
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free port.") var port: Int
    @Option(name: .customLong("initial-prompt"),
            help: "First user message, sent once per working directory (default: $TASKBOX_TASK_PROMPT, else $TASKBOX_PARAM_AI_PROMPT; empty: none).")
    var initialPrompt: String?
    @Option(help: "Tool uses to allow: all, edits (files only: no shell, no web) or none.") var approve: ApprovePolicy = .all

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    /// The options from the flags and the environment the workspace gives the adapter.
    func options(label: String) -> AgentAdapterOptions {
        // stdout carries only the ready line; logs go to stderr (the app's log file).
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        // A write to an agent that just exited must fail, not kill the adapter.
        signal(SIGPIPE, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let logger = Logger(label: label)
        var options = AgentAdapterOptions(
            host: host, port: port, directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            initialPrompt: AgentAdapterOptions.initialPrompt(option: initialPrompt, environment: environment),
            approve: approve, reporter: CoderAppStatusReporter(environment: environment, logger: logger, attempts: 3),
            environment: environment, logger: logger)
        // Started by taskbox: only taskbox (which sends the build's agent token) may drive it.
        options.requiredToken = environment["CODER_AGENT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return options
    }

    func ready(_ name: String, port: Int) {
        FileHandle.standardOutput.write(Data("taskbox agent \(name) listening on http://\(host):\(port)\n".utf8))
    }
}

/// `taskbox agent claude` (agents.md §5).
struct AgentClaude: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claude",
        abstract: "Serve agentapi on a port and drive Claude Code through stream-json.")

    @OptionGroup var adapter: AgentAdapterArguments
    @Option(help: "The claude executable (default: $TASKBOX_CLAUDE_BIN, else claude on PATH).") var bin: String?
    @Argument(parsing: .postTerminator, help: "Arguments passed on to claude, after --.") var claudeArguments: [String] = []

    func run() async throws {
        let adapter = self.adapter
        let agent = try AgentAdapter.claude(options: adapter.options(label: "agent-claude"), binary: bin, arguments: claudeArguments)
        try await agent.run { port in adapter.ready("claude", port: port) }
    }
}

/// `taskbox agent acp -- COMMAND ARGS` (agents.md §6).
struct AgentACP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acp",
        abstract: "Serve agentapi on a port and drive an Agent Client Protocol agent over stdio.")

    @OptionGroup var adapter: AgentAdapterArguments
    @Argument(parsing: .postTerminator, help: "The ACP agent's command and arguments, after --.") var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("the agent command is required after --") }
    }

    func run() async throws {
        let adapter = self.adapter
        let agent = try AgentAdapter.acp(options: adapter.options(label: "agent-acp"), command: command)
        try await agent.run { port in adapter.ready("acp", port: port) }
    }
}
