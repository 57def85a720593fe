import ArgumentParser
import Foundation
import Logging
import TaskboxCore

/// `taskbox agentapi-echo`: the agentapi-compatible echo agent for demos and tests
/// (agentapi.md §6). It reads the task prompt and app-status settings from the environment
/// a workspace gives it (see `EchoAgentOptions.fromEnvironment`).
struct AgentAPIEcho: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentapi-echo",
        abstract: "Run an agentapi-compatible agent that echoes every message.")

    @Option(help: "Port to listen on at 127.0.0.1; 0 picks a free port.") var port: Int
    @Option(name: .customLong("reply-delay-ms"), help: "Milliseconds between a message and its echo.")
    var replyDelayMs: Int = 300

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard replyDelayMs >= 0 else { throw ValidationError("--reply-delay-ms must not be negative") }
    }

    func run() async throws {
        // stdout carries only the ready line; logs go to stderr.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let options = EchoAgentOptions.fromEnvironment(
            ProcessInfo.processInfo.environment, replyDelay: .milliseconds(replyDelayMs),
            logger: Logger(label: "agentapi-echo"))
        try await EchoAgent(options: options).run(port: port) { port in
            FileHandle.standardOutput.write(Data("agentapi-echo listening on http://127.0.0.1:\(port)\n".utf8))
        }
    }
}
