/// What a driver tells its session about the agent below it (agents.md §2): output of the
/// running turn, the agent's session id, the end of a turn and the end of the process.
enum AgentEvent: Sendable, Equatable {
    /// The agent's own session id, to resume it later (Claude: `system`/`init`; ACP: `session/new`).
    case session(String)
    /// Text output of the turn, appended as it comes.
    case text(String)
    /// A line of its own: a tool call (tool and main argument) or a permission decision.
    case line(String)
    case turnEnded(TurnEnd, AgentUsage)
    /// The agent could not resume the saved session; the session starts a new one (agents.md §8).
    case resumeFailed(String)
    /// An agent message of its own, e.g. that a new session replaced the saved one.
    case note(String)
    /// The agent process is gone; `reason` says how (exit status, signal, last error output).
    case exited(reason: String)
}

enum TurnEnd: Sendable, Equatable {
    case completed
    /// The agent ended the turn after an interrupt.
    case interrupted
    case failed(String)
}

/// One agent protocol downward (agents.md §5, §6): the session asks its driver to start the
/// agent, send a user message, interrupt a turn and stop; the driver yields `AgentEvent`s.
protocol AgentDriver: Sendable {
    /// A short name for messages, e.g. "Claude Code".
    var agentName: String { get }
    /// Everything the agent does, in order, for as long as the adapter runs.
    var events: AsyncStream<AgentEvent> { get }
    /// What the driver starts and must not wait for (reading the agent's output, a prompt's
    /// answer): children of `AgentSessionWorker`'s group.
    var children: ChildTaskQueue { get }
    var isRunning: Bool { get async }
    /// Starts the agent process, resuming `sessionID` when given.
    func start(resume sessionID: String?) async throws
    /// Sends one user message, which starts a turn.
    func send(_ text: String) async throws
    func interrupt() async
    /// SIGTERM, then SIGKILL after 5 s; returns once the process is gone. No `exited` event follows.
    func stop() async
}

/// A tool call as a line of the agent message: the tool and its main argument, on one line
/// and not too long (agents.md §8).
enum ToolLine {
    static let maxArgument = 200

    static func call(_ tool: String, _ argument: String?) -> String {
        guard let argument = argument.map(oneLine), !argument.isEmpty else { return "Tool: \(tool)" }
        return "Tool: \(tool) \(argument)"
    }

    static func decision(_ tool: String, allowed: Bool) -> String {
        "Permission: \(tool) \(allowed ? "allowed" : "denied")"
    }

    static func oneLine(_ text: String) -> String {
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return first.count > maxArgument ? String(first.prefix(maxArgument)) + "…" : first
    }
}
