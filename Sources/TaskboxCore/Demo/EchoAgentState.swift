import Foundation

/// The echo agent behind the agentapi server: its conversation, the replies still to write
/// and the reports to send (agentapi.md §6.1).
struct EchoAgentState: AgentAPIInput {
    static let idleMessage = "Waiting for input."

    let conversation: AgentConversation
    /// User messages still to be answered, in order.
    let pendingReplies: AsyncStream<String>
    private let pendingRepliesInput: AsyncStream<String>.Continuation
    /// App status reports still to be sent, in order.
    let reports: AsyncStream<AppStatusUpdate>
    private let reportsInput: AsyncStream<AppStatusUpdate>.Continuation

    var agentType: String { conversation.agentType }

    /// Starts stable with the greeting as message 0, or, with an initial prompt, already
    /// running with the prompt queued, as agentapi does (agentapi.md §2.2): the prompt is
    /// message 1 before anyone can connect, so no client sees a stable agent without it.
    init(greeting: String, agentType: String, initialPrompt: String?) {
        (pendingReplies, pendingRepliesInput) = AsyncStream.makeStream(of: String.self)
        (reports, reportsInput) = AsyncStream.makeStream(of: AppStatusUpdate.self)
        var messages = [AgentConversation.message(id: 0, role: "agent", content: greeting)]
        let prompt = initialPrompt.map(AgentConversation.trimmed) ?? ""
        if prompt.isEmpty {
            reportsInput.yield(.idle(Self.idleMessage))
        } else {
            messages.append(AgentConversation.message(id: 1, role: "user", content: prompt))
            pendingRepliesInput.yield(prompt)
            reportsInput.yield(.working(Self.workingMessage(prompt)))
        }
        conversation = AgentConversation(
            messages: messages, status: prompt.isEmpty ? .stable : .running, agentType: agentType, transport: "pty")
    }

    static func workingMessage(_ prompt: String) -> String {
        "Echoing: " + prompt.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func replyText(for content: String) -> String { "Echo: \(content)" }

    /// The double's `startMs` is 0: the message joins the history at once (agentapi.md §6.2).
    func userMessage(_ content: String) async throws(AgentConversation.Refusal) {
        let text = try await conversation.acceptUserMessage(content)
        pendingRepliesInput.yield(text)
        reportsInput.yield(.working(Self.workingMessage(text)))
    }

    /// Raw input has nothing to interrupt here: the echo comes anyway.
    func rawMessage(_ content: String) async {}

    /// The agent's answer to a user message; the agent is then waiting for input again.
    func reply(to content: String) async {
        await conversation.append(role: "agent", content: Self.replyText(for: content))
        await conversation.setStatus(.stable)
        reportsInput.yield(.idle(Self.idleMessage))
    }

    var subscriberCount: Int {
        get async { await conversation.subscriberCount }
    }

    /// Ends every event stream and the work queues; used when the agent stops.
    func close() async {
        await conversation.close()
        pendingRepliesInput.finish()
        reportsInput.finish()
    }
}
