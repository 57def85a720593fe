import Foundation
import Logging

/// An Agent Client Protocol agent downward (agents.md §6): JSON-RPC 2.0 on the stdio of
/// COMMAND ARGS — `initialize`, `session/new` or `session/load`, one `session/prompt` per user
/// message, `session/cancel` for an interrupt; `session/update` turned into `AgentEvent`s,
/// permission requests answered by the approve policy, file access confined to the working directory.
actor ACPDriver: AgentDriver {
    static let protocolVersion = 1

    nonisolated let agentName = "The ACP agent"
    nonisolated let events: AsyncStream<AgentEvent>
    nonisolated let children = ChildTaskQueue()
    private let eventsInput: AsyncStream<AgentEvent>.Continuation
    private let command: [String]
    private let directory: URL
    private let environment: [String: String]
    private let approve: ApprovePolicy
    private let files: ACPFileSystem
    private let logger: Logger

    private var process: AgentProcess?
    private var connection: JSONRPCConnection?
    private var sessionID: String?
    /// While `session/load` runs the agent replays the conversation; the adapter's own saved
    /// conversation is the record, so those updates are dropped (agents.md §8).
    private var replaying = false
    /// Tool calls by id: the name shown and the kind the policy judges.
    private var toolCalls: [String: (name: String, kind: String?)] = [:]
    private var unknownSeen: Set<String> = []

    init(command: [String], directory: URL, environment: [String: String], approve: ApprovePolicy, logger: Logger) {
        (events, eventsInput) = AsyncStream.makeStream(of: AgentEvent.self)
        self.command = command
        self.directory = directory
        self.environment = environment
        self.approve = approve
        self.files = ACPFileSystem(workingDirectory: directory)
        self.logger = logger
    }

    var isRunning: Bool { process != nil }

    func start(resume savedID: String?) async throws {
        let process = try AgentProcess(command: command, directory: directory, environment: environment)
        let connection = JSONRPCConnection(process: process)
        self.process = process
        self.connection = connection
        sessionID = nil
        logger.info("started the ACP agent", metadata: ["pid": "\(process.pid)", "command": "\(command.joined(separator: " "))"])
        let handlers = JSONRPCConnection.Handlers(
            request: { method, params in await self.answer(method, params) },
            notification: { method, params in await self.notified(method, params) },
            problem: { problem in await self.protocolProblem(problem) })
        children.add {
            await connection.run(handlers)
            await self.ended(process)
        }
        do {
            try await handshake(connection, resume: savedID)
        } catch {
            await stop()
            throw error
        }
    }

    /// `initialize` (version 1, file system yes, terminal no), then the session.
    private func handshake(_ connection: JSONRPCConnection, resume savedID: String?) async throws {
        let initialized = try await connection.request("initialize", .object([
            (key: "protocolVersion", value: .int(Self.protocolVersion)),
            (key: "clientCapabilities", value: .object([
                (key: "fs", value: .object([(key: "readTextFile", value: .bool(true)), (key: "writeTextFile", value: .bool(true))])),
                (key: "terminal", value: .bool(false)),
            ])),
            (key: "clientInfo", value: .object([(key: "name", value: .string("taskbox")), (key: "version", value: .string("1"))])),
        ]))
        // The agent answers with the version it will speak; taskbox speaks only 1.
        let version = initialized["protocolVersion"]?.numberValue.map { Int($0) }
        guard version == Self.protocolVersion else {
            throw AgentProcessError(description: "the agent speaks ACP version \(version.map(String.init) ?? "?"); taskbox speaks \(Self.protocolVersion)")
        }
        let canLoad = initialized["agentCapabilities"]?["loadSession"]?.boolValue ?? false
        let cwd = GoJSON.string(files.root)
        if let savedID {
            if canLoad {
                replaying = true
                defer { replaying = false }
                do {
                    _ = try await connection.request("session/load", .object([
                        (key: "sessionId", value: .string(savedID)), (key: "cwd", value: cwd), (key: "mcpServers", value: .array([])),
                    ]))
                    sessionID = savedID
                    return
                } catch let error as JSONRPCConnection.RemoteError {
                    eventsInput.yield(.note("Could not resume the earlier session of the ACP agent (\(error.message)); started a new one."))
                }
            } else {
                eventsInput.yield(.note("The ACP agent cannot load sessions, so the earlier session was not resumed; started a new one."))
            }
        }
        let created = try await connection.request("session/new", .object([(key: "cwd", value: cwd), (key: "mcpServers", value: .array([]))]))
        guard let id = created["sessionId"]?.stringValue else {
            throw AgentProcessError(description: "session/new answered without a sessionId")
        }
        sessionID = id
        eventsInput.yield(.session(id))
    }

    /// The prompt's answer ends the turn; its stopReason is recorded when it is not the usual one.
    func send(_ text: String) throws {
        guard let connection, let sessionID else { throw AgentProcessError(description: "the ACP agent is not running") }
        let params = GoJSON.object([
            (key: "sessionId", value: .string(sessionID)),
            (key: "prompt", value: .array([.object([(key: "type", value: .string("text")), (key: "text", value: .string(text))])])),
        ])
        children.add { [eventsInput] in
            do {
                let result = try await connection.request("session/prompt", params)
                let reason = result["stopReason"]?.stringValue ?? "end_turn"
                switch reason {
                case "cancelled":
                    eventsInput.yield(.turnEnded(.interrupted, AgentUsage(turns: 1)))
                case "end_turn":
                    eventsInput.yield(.turnEnded(.completed, AgentUsage(turns: 1)))
                default:
                    eventsInput.yield(.line("Stop reason: \(reason)"))
                    eventsInput.yield(.turnEnded(.completed, AgentUsage(turns: 1)))
                }
            } catch is JSONRPCConnection.Closed {
                // The process is gone: its exit ends the turn.
            } catch {
                eventsInput.yield(.turnEnded(.failed("session/prompt failed: \(error)"), AgentUsage()))
            }
        }
    }

    func interrupt() async {
        guard let connection, let sessionID else { return }
        await connection.notify("session/cancel", .object([(key: "sessionId", value: .string(sessionID))]))
    }

    func stop() async {
        guard let process else { return }
        self.process = nil
        connection = nil
        await process.stop()
    }

    private func ended(_ process: AgentProcess) async {
        var reason = "exited"
        for await how in process.exit { reason = how }
        if self.process === process {
            self.process = nil
            connection = nil
        }
        if !process.wasStopped {
            eventsInput.yield(.exited(reason: reason))
        }
    }

    // MARK: What the agent asks of the client

    private func answer(_ method: String, _ params: GoJSON) -> Result<GoJSON, JSONRPCConnection.RemoteError> {
        switch method {
        case "session/request_permission": .success(permission(params))
        case "fs/read_text_file": files.read(params)
        case "fs/write_text_file": files.write(params)
        default: .failure(.methodNotFound(method))
        }
    }

    /// Picks the agent's own option: allow_once (else allow_always) or reject_once (else
    /// reject_always); with no fitting option the request is answered `cancelled`.
    private func permission(_ params: GoJSON) -> GoJSON {
        let call = params["toolCall"] ?? .null
        let id = call["toolCallId"]?.stringValue ?? ""
        let known = toolCalls[id]
        let kind = call["kind"]?.stringValue ?? known?.kind
        let name = call["title"]?.stringValue ?? known?.name ?? kind ?? "tool"
        let allowed = approve.allowsACPKind(kind)
        var options: [(id: String, kind: String)] = []
        if case .array(let items)? = params["options"] {
            options = items.compactMap { item in
                item["optionId"]?.stringValue.map { ($0, item["kind"]?.stringValue ?? "") }
            }
        }
        let preference = allowed ? ["allow_once", "allow_always"] : ["reject_once", "reject_always"]
        let chosen = preference.lazy.compactMap { kind in options.first { $0.kind == kind } }.first
        eventsInput.yield(.line(ToolLine.decision(name, allowed: allowed && chosen != nil)))
        guard let chosen else { return .object([(key: "outcome", value: .object([(key: "outcome", value: .string("cancelled"))]))]) }
        return .object([(key: "outcome", value: .object([
            (key: "outcome", value: .string("selected")), (key: "optionId", value: .string(chosen.id)),
        ]))])
    }

    private func notified(_ method: String, _ params: GoJSON) {
        guard method == "session/update" else {
            noteUnknown("notification \(method)")
            return
        }
        guard !replaying, let update = params["update"] else { return }
        let kind = update["sessionUpdate"]?.stringValue ?? ""
        switch kind {
        case "agent_message_chunk":
            if let text = update["content"]?["text"]?.stringValue { eventsInput.yield(.text(text)) }
        case "tool_call":
            let id = update["toolCallId"]?.stringValue ?? ""
            let name = update["title"]?.stringValue ?? update["kind"]?.stringValue ?? "tool"
            toolCalls[id] = (name, update["kind"]?.stringValue)
            eventsInput.yield(.line(ToolLine.call(name, Self.mainArgument(update))))
        case "tool_call_update":
            let id = update["toolCallId"]?.stringValue ?? ""
            guard let known = toolCalls[id] else {
                // An update for a call never announced is shown as the call.
                let name = update["title"]?.stringValue ?? update["kind"]?.stringValue ?? "tool"
                toolCalls[id] = (name, update["kind"]?.stringValue)
                eventsInput.yield(.line(ToolLine.call(name, Self.mainArgument(update))))
                return
            }
            if update["status"]?.stringValue == "failed" { eventsInput.yield(.line("Tool failed: \(known.name)")) }
        case "plan":
            var entries: [String] = []
            if case .array(let items)? = update["entries"] { entries = items.compactMap { $0["content"]?.stringValue } }
            if !entries.isEmpty { eventsInput.yield(.line("Plan: " + entries.joined(separator: "; "))) }
        default:
            noteUnknown("session/update \(kind)")
        }
    }

    /// A file path or a command: the first location, else the raw input's.
    static func mainArgument(_ update: GoJSON) -> String? {
        if case .array(let locations)? = update["locations"], let path = locations.first?["path"]?.stringValue { return path }
        let input = update["rawInput"] ?? .null
        for key in ["path", "file_path", "command", "url", "query"] {
            if let value = input[key]?.stringValue { return value }
        }
        if case .array(let parts)? = input["command"] { return parts.compactMap(\.stringValue).joined(separator: " ") }
        return nil
    }

    private func protocolProblem(_ problem: String) {
        logger.warning("the ACP agent sent \(problem)")
        eventsInput.yield(.line("Protocol error: the agent sent \(problem)"))
    }

    private func noteUnknown(_ what: String) {
        if unknownSeen.insert(what).inserted {
            logger.info("ignored an ACP message the adapter does not handle", metadata: ["kind": "\(what)"])
        }
    }
}
