import Foundation

/// The echo agent's conversation and status, with everything derived from them: the
/// events SSE subscribers see, the replies still to write and the reports to send.
/// agentapi.md §6.1 describes the state; §2.2 and §2.3 the rules it keeps.
actor EchoAgentState {
    struct Message: Sendable, Equatable {
        var id: Int
        var role: String
        var content: String
        var time: String
    }

    enum Status: String, Sendable {
        case running, stable
    }

    enum Event: Sendable, Equatable {
        case messageUpdate(Message)
        case statusChange(Status)
    }

    /// The reasons agentapi's `conversation.Send` refuses a user message (agentapi.md §2.4).
    enum Refusal: Error, Equatable {
        case empty, notWaiting

        var reason: String {
            switch self {
            case .empty: "failed to send message: message must not be empty"
            case .notWaiting: "failed to send message: message can only be sent when the agent is waiting for user input"
            }
        }
    }

    /// agentapi closes a subscriber that falls this many events behind (agentapi.md §2.6).
    static let subscriberBacklog = 1024

    static let idleMessage = "Waiting for input."

    private(set) var messages: [Message]
    private(set) var status: Status
    let agentType: String
    private var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
    private var nextSubscriber = 0
    private var closed = false

    /// User messages still to be answered, in order.
    nonisolated let pendingReplies: AsyncStream<String>
    private let pendingRepliesInput: AsyncStream<String>.Continuation
    /// App status reports still to be sent, in order.
    nonisolated let reports: AsyncStream<AppStatusUpdate>
    private let reportsInput: AsyncStream<AppStatusUpdate>.Continuation

    /// Starts stable with the greeting as message 0, or, with an initial prompt, already
    /// working on it as agentapi's `--initial-prompt` does (agentapi.md §2.2): the prompt is
    /// message 1 before anyone can connect, so no client sees a stable agent without it.
    init(greeting: String, agentType: String, initialPrompt: String?) {
        self.agentType = agentType
        (pendingReplies, pendingRepliesInput) = AsyncStream.makeStream(of: String.self)
        (reports, reportsInput) = AsyncStream.makeStream(of: AppStatusUpdate.self)
        messages = [Message(id: 0, role: "agent", content: greeting, time: Timestamp.now())]
        let prompt = initialPrompt.map(Self.trimmed) ?? ""
        if prompt.isEmpty {
            status = .stable
            reportsInput.yield(.idle(Self.idleMessage))
        } else {
            status = .running
            messages.append(Message(id: 1, role: "user", content: prompt, time: Timestamp.now()))
            pendingRepliesInput.yield(prompt)
            reportsInput.yield(.working(Self.workingMessage(prompt)))
        }
    }

    /// agentapi trims the content with Go's `strings.TrimSpace` (agentapi.md §2.2).
    static func trimmed(_ content: String) -> String {
        content.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func workingMessage(_ prompt: String) -> String {
        "Echoing: " + prompt.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func replyText(for content: String) -> String { "Echo: \(content)" }

    /// A `type:"user"` send (agentapi.md §6.2): refused unless stable, otherwise the agent
    /// starts running and the message joins the history at once (the double's `startMs` is 0).
    func acceptUserMessage(_ content: String) throws(Refusal) {
        let text = Self.trimmed(content)
        guard !text.isEmpty else { throw .empty }
        guard status == .stable else { throw .notWaiting }
        setStatus(.running)
        append(role: "user", content: text)
        pendingRepliesInput.yield(text)
        reportsInput.yield(.working(Self.workingMessage(text)))
    }

    /// The agent's answer to a user message; the agent is then waiting for input again.
    func reply(to content: String) {
        append(role: "agent", content: Self.replyText(for: content))
        setStatus(.stable)
        reportsInput.yield(.idle(Self.idleMessage))
    }

    /// A new SSE subscriber: the replay of every message and the current status is queued
    /// in the same step as registration, so no event is missed or repeated (agentapi.md §2.6).
    func subscribe() -> (id: Int, events: AsyncStream<Event>, input: AsyncStream<Event>.Continuation) {
        let (events, input) = AsyncStream.makeStream(
            of: Event.self, bufferingPolicy: .bufferingOldest(Self.subscriberBacklog))
        let id = nextSubscriber
        nextSubscriber += 1
        for message in messages { input.yield(.messageUpdate(message)) }
        input.yield(.statusChange(status))
        if closed {
            input.finish()
        } else {
            subscribers[id] = input
        }
        return (id, events, input)
    }

    func unsubscribe(_ id: Int) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    var subscriberCount: Int { subscribers.count }

    /// Ends every event stream and the work queues; used when the agent stops.
    func close() {
        closed = true
        for input in subscribers.values { input.finish() }
        subscribers.removeAll()
        pendingRepliesInput.finish()
        reportsInput.finish()
    }

    private func append(role: String, content: String) {
        let message = Message(id: messages.count, role: role, content: content, time: Timestamp.now())
        messages.append(message)
        publish(.messageUpdate(message))
    }

    /// `status_change` is sent only for a real change (agentapi.md §2.6).
    private func setStatus(_ new: Status) {
        guard new != status else { return }
        status = new
        publish(.statusChange(new))
    }

    private func publish(_ event: Event) {
        for (id, input) in subscribers {
            if case .dropped = input.yield(event) {
                // Like agentapi, a subscriber that cannot keep up loses its stream.
                input.finish()
                subscribers.removeValue(forKey: id)
            }
        }
    }
}
