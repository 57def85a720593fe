import Foundation
import Logging

/// Claude Code downward (agents.md §5): `claude -p --verbose --input-format stream-json
/// --output-format stream-json --permission-prompt-tool stdio [--resume ID] CLAUDE_ARGS`,
/// user messages as stream-json lines on stdin, its stdout lines turned into `AgentEvent`s,
/// `can_use_tool` answered by the approve policy, interrupts as control requests.
actor ClaudeDriver: AgentDriver {
    nonisolated let agentName = "Claude Code"
    nonisolated let events: AsyncStream<AgentEvent>
    nonisolated let children = ChildTaskQueue()
    private let eventsInput: AsyncStream<AgentEvent>.Continuation
    private let binary: String
    private let arguments: [String]
    private let directory: URL
    private let environment: [String: String]
    private let approve: ApprovePolicy
    private let logger: Logger

    private var process: AgentProcess?
    /// Per process: Claude's `total_cost_usd` counts from the process start.
    private var costSoFar = 0.0
    private var resuming = false
    private var initialized = false
    private var interruptRequested = false
    /// Whether the turn's output so far ends in text, so the next text block is a new paragraph.
    private var textOpen = false
    private var nextRequest = 0
    /// Line types seen that the adapter does not handle, logged once each.
    private var unknownSeen: Set<String> = []

    init(binary: String, arguments: [String], directory: URL, environment: [String: String], approve: ApprovePolicy, logger: Logger) {
        (events, eventsInput) = AsyncStream.makeStream(of: AgentEvent.self)
        self.binary = binary
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
        self.approve = approve
        self.logger = logger
    }

    static func command(binary: String, resume sessionID: String?, arguments: [String]) -> [String] {
        var command = [binary, "-p", "--verbose", "--input-format", "stream-json", "--output-format", "stream-json",
                       "--permission-prompt-tool", "stdio"]
        if let sessionID { command += ["--resume", sessionID] }
        return command + arguments
    }

    var isRunning: Bool { process != nil }

    func start(resume sessionID: String?) throws {
        let process = try AgentProcess(
            command: Self.command(binary: binary, resume: sessionID, arguments: arguments),
            directory: directory, environment: environment)
        self.process = process
        costSoFar = 0
        resuming = sessionID != nil
        initialized = false
        logger.info("started Claude Code", metadata: ["pid": "\(process.pid)", "resume": "\(sessionID ?? "-")"])
        children.add { await self.pump(process) }
    }

    /// A write to a process that is going away fails quietly: its exit event ends the turn.
    func send(_ text: String) throws {
        guard let process else { throw AgentProcessError(description: "Claude Code is not running") }
        interruptRequested = false
        textOpen = false
        try? process.write(line: ClaudeStreamJSON.userMessage(text))
    }

    func interrupt() {
        guard let process else { return }
        interruptRequested = true
        nextRequest += 1
        try? process.write(line: ClaudeStreamJSON.interrupt(requestID: "taskbox-interrupt-\(nextRequest)"))
    }

    func stop() async {
        guard let process else { return }
        self.process = nil
        await process.stop()
    }

    private func pump(_ process: AgentProcess) async {
        for await line in process.lines where !line.isEmpty {
            handle(ClaudeStreamJSON.parse(line), from: process)
        }
        var reason = "exited"
        for await how in process.exit { reason = how }
        if self.process === process { self.process = nil }
        if !process.wasStopped {
            eventsInput.yield(.exited(reason: reason))
        }
    }

    private func handle(_ line: ClaudeStreamJSON.Line, from process: AgentProcess) {
        switch line {
        case .initialized(let sessionID):
            initialized = true
            eventsInput.yield(.session(sessionID))
        case .assistant(let blocks):
            for block in blocks {
                switch block {
                case .text(let text):
                    eventsInput.yield(.text(textOpen ? "\n\n" + text : text))
                    textOpen = true
                case .toolUse(let name, let input):
                    eventsInput.yield(.line(ToolLine.call(name, ClaudeStreamJSON.mainArgument(input))))
                    textOpen = false
                }
            }
        case .result(let result):
            // Claude answers a --resume of a session it does not have with an error result
            // before any `init`, then exits.
            if resuming && !initialized && result.isError {
                eventsInput.yield(.resumeFailed(result.errors.joined(separator: "; ")))
                return
            }
            if let id = result.sessionID { eventsInput.yield(.session(id)) }
            var usage = result.usage
            usage.costUSD = max(0, result.totalCostUSD - costSoFar)
            costSoFar = max(costSoFar, result.totalCostUSD)
            let end: TurnEnd = if interruptRequested {
                .interrupted
            } else if result.isError {
                .failed(Self.errorText(result))
            } else {
                .completed
            }
            interruptRequested = false
            eventsInput.yield(.turnEnded(end, usage))
        case .canUseTool(let requestID, let tool, let input):
            let allowed = approve.allowsClaudeTool(tool)
            eventsInput.yield(.line(ToolLine.decision(tool, allowed: allowed)))
            textOpen = false
            try? process.write(line: ClaudeStreamJSON.permission(
                requestID: requestID, allow: allowed, input: input,
                reason: "taskbox denied \(tool): the adapter runs with --approve \(approve.rawValue)"))
        case .otherControlRequest(let requestID, let subtype):
            noteUnknown("control_request/\(subtype)")
            try? process.write(line: ClaudeStreamJSON.controlError(requestID: requestID, "taskbox does not handle \(subtype)"))
        case .ignored:
            break
        case .unknown(let what):
            noteUnknown(what)
        }
    }

    static func errorText(_ result: ClaudeStreamJSON.Result) -> String {
        if !result.errors.isEmpty { return result.errors.joined(separator: "; ") }
        if let text = result.text, !text.isEmpty { return text }
        return "Claude Code ended the turn with \(result.subtype.isEmpty ? "an error" : result.subtype)"
    }

    private func noteUnknown(_ what: String) {
        if unknownSeen.insert(what).inserted {
            logger.info("ignored a Claude Code line the adapter does not handle", metadata: ["type": "\(what)"])
        }
    }
}
