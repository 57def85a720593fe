import Foundation
import Logging

/// The middle of every built-in adapter (agents.md §2–§4): takes agentapi input from
/// above, drives the agent through its `AgentDriver` below, keeps the conversation and its
/// saved state, and queues the app-status reports. One per adapter process.
actor AgentSession: AgentAPIInput {
    static let idleFallback = "Turn finished."
    static let interruptedText = "Interrupted."
    /// An agent that does not end an interrupted turn by itself is stopped after this long.
    static let interruptGrace: Duration = .seconds(10)

    nonisolated let conversation: AgentConversation
    /// App-status reports in order, for the worker to send (agents.md §3).
    nonisolated let reports: AsyncStream<AppStatusUpdate>
    private let reportsInput: AsyncStream<AppStatusUpdate>.Continuation
    /// A message's delivery (an input returns before the agent has it) and the wait before an
    /// interrupt the agent ignores is forced: children of `AgentSessionWorker`'s group.
    nonisolated let children = ChildTaskQueue()
    private let driver: any AgentDriver
    private let stateFile: AgentStateFile
    private let logger: Logger
    private var saved: AgentSavedState
    private var turn: AgentTurn?
    private var turnNumber = 0
    private var shuttingDown = false

    /// Loads the saved conversation from the working directory, or starts one whose message 0
    /// says the agent is ready.
    init(driver: any AgentDriver, readyText: String, agentType: String, transport: String, stateFile: AgentStateFile, logger: Logger) throws {
        self.driver = driver
        self.stateFile = stateFile
        self.logger = logger
        saved = try stateFile.load()
            ?? AgentSavedState(messages: [AgentConversation.message(id: 0, role: "agent", content: readyText)])
        conversation = AgentConversation(messages: saved.messages, status: .stable, agentType: agentType, transport: transport)
        (reports, reportsInput) = AsyncStream.makeStream(of: AppStatusUpdate.self)
    }

    /// Sends the initial prompt once per working directory (agents.md §4), else reports idle.
    func begin(initialPrompt: String?) async {
        await conversation.setStatusExtras([saved.usage.statusField])
        let prompt = AgentConversation.trimmed(initialPrompt ?? "")
        if !saved.initialPromptSent && !prompt.isEmpty {
            saved.initialPromptSent = true
            try? await userMessage(prompt)
        } else {
            save()
            reportsInput.yield(.idle(AgentTurn.firstLine(saved.messages.last { $0.role == "agent" }?.content ?? "") ?? Self.idleFallback))
        }
    }

    func userMessage(_ content: String) async throws(AgentConversation.Refusal) {
        let text = try await conversation.acceptUserMessage(content)
        turn = AgentTurn(userText: text)
        turnNumber += 1
        await saveConversation()
        reportsInput.yield(.working(AgentTurn.firstLine(text) ?? text))
        let number = turnNumber
        children.add { await self.deliver(text, turn: number) }
    }

    /// `\u0003` or `\u001b` interrupts the running turn (agents.md §1); other raw input is ignored.
    func rawMessage(_ content: String) async {
        guard content == "\u{3}" || content == "\u{1b}", turn != nil, turn?.interruptRequested == false else { return }
        turn?.interruptRequested = true
        let number = turnNumber
        await driver.interrupt()
        children.add {
            try? await Task.sleep(for: Self.interruptGrace)
            if !Task.isCancelled { await self.forceInterrupt(turn: number) }
        }
    }

    /// Starts the agent when it is not running (resuming its session) and hands it the message.
    private func deliver(_ text: String, turn number: Int) async {
        guard !shuttingDown else { return }
        do {
            if !(await driver.isRunning) {
                try await driver.start(resume: saved.sessionID)
            }
            try await driver.send(text)
        } catch {
            guard number == turnNumber else { return }
            await endTurn(.failed("\(driver.agentName) could not be started: \(error)"))
        }
    }

    private func forceInterrupt(turn number: Int) async {
        guard number == turnNumber, turn?.interruptRequested == true else { return }
        logger.warning("the agent did not end the interrupted turn; stopping it")
        await driver.stop()
        await endTurn(.interrupted)
    }

    func handle(_ event: AgentEvent) async {
        switch event {
        case .session(let id):
            guard saved.sessionID != id else { return }
            saved.sessionID = id
            await saveConversation()
        case .text(let text):
            turn?.append(text: text)
            await showTurn()
        case .line(let line):
            turn?.append(line: line)
            await showTurn()
        case .turnEnded(let end, let usage):
            saved.usage = saved.usage + usage
            await conversation.setStatusExtras([saved.usage.statusField])
            await endTurn(end)
        case .resumeFailed(let why):
            logger.warning("the agent could not resume its session", metadata: ["session": "\(saved.sessionID ?? "")", "error": "\(why)"])
            saved.sessionID = nil
            await conversation.append(role: "agent", content: "Could not resume the earlier \(driver.agentName) session (\(why)); started a new one.")
            turn?.restartFresh = true
            await saveConversation()
        case .note(let text):
            await conversation.append(role: "agent", content: text)
            await saveConversation()
        case .exited(let reason):
            guard !shuttingDown else { return }
            if let current = turn, current.restartFresh {
                turn?.restartFresh = false
                let number = turnNumber
                children.add { await self.deliver(current.userText, turn: number) }
            } else if turn != nil {
                await endTurn(.failed("\(driver.agentName) exited (\(reason))"))
            } else {
                let text = "\(driver.agentName) exited (\(reason)); it starts again with the next message."
                await conversation.append(role: "agent", content: text)
                await saveConversation()
                reportsInput.yield(.failure(text))
            }
        }
    }

    /// The turn's agent message, created with the first output and rewritten as it grows.
    private func showTurn() async {
        guard let current = turn else { return }
        if let id = current.messageID {
            await conversation.update(id: id, content: current.content)
        } else {
            turn?.messageID = await conversation.append(role: "agent", content: current.content)
        }
    }

    private func endTurn(_ end: TurnEnd) async {
        guard turn != nil else { return }
        let report: AppStatusUpdate
        switch end {
        case .completed:
            report = .idle(turn?.summary ?? Self.idleFallback)
        case .interrupted:
            turn?.append(line: Self.interruptedText)
            report = .idle(Self.interruptedText)
        case .failed(let error):
            turn?.append(line: "Error: \(error)")
            report = .failure(error)
        }
        await showTurn()
        turn = nil
        turnNumber += 1
        await conversation.setStatus(.stable)
        await saveConversation()
        reportsInput.yield(report)
    }

    /// SIGTERM (agents.md §4): stop the agent, record a turn cut short, save.
    func shutdown() async {
        shuttingDown = true
        await driver.stop()
        if turn != nil {
            turn?.append(line: "Stopped: the adapter was shut down.")
            await showTurn()
            turn = nil
            await conversation.setStatus(.stable)
        }
        await saveConversation()
        reportsInput.finish()
    }

    private func saveConversation() async {
        saved.messages = await conversation.messages
        save()
    }

    private func save() {
        do {
            try stateFile.save(saved)
        } catch {
            logger.error("cannot save the agent state", metadata: ["file": "\(stateFile.url.path)", "error": "\(error)"])
        }
    }
}
