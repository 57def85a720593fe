import Foundation

/// One agentapi conversation: the messages, the status and the events SSE subscribers see
/// (agentapi.md §2.2, §2.3, §2.6). The echo agent and the built-in adapters each keep one and
/// serve it with `AgentAPIServer`.
public actor AgentConversation {
    public struct Message: Sendable, Equatable, Codable {
        public var id: Int
        public var role: String
        public var content: String
        public var time: String
    }

    public enum Status: String, Sendable {
        case running, stable
    }

    enum Event: Sendable, Equatable {
        case messageUpdate(Message)
        case statusChange(Status)
    }

    /// The reasons agentapi's `conversation.Send` refuses a user message (agentapi.md §2.4).
    public enum Refusal: Error, Equatable {
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

    public private(set) var messages: [Message]
    public private(set) var status: Status
    /// What `/status` and `status_change` report as `agent_type`, and `/status` as `transport`.
    nonisolated let agentType: String
    nonisolated let transport: String
    /// Fields `/status` adds after agentapi's own (agents.md §2: `usage`).
    private(set) var statusExtras: [(key: String, value: GoJSON)] = []
    private var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
    private var nextSubscriber = 0
    private var closed = false

    init(messages: [Message], status: Status, agentType: String, transport: String) {
        self.messages = messages
        self.status = status
        self.agentType = agentType
        self.transport = transport
    }

    /// agentapi trims the content with Go's `strings.TrimSpace` (agentapi.md §2.2).
    static func trimmed(_ content: String) -> String {
        content.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func message(id: Int, role: String, content: String) -> Message {
        Message(id: id, role: role, content: content, time: Timestamp.now())
    }

    /// A `type:"user"` send (agentapi.md §2.4): refused unless stable, otherwise the agent
    /// starts running and the trimmed message joins the history at once; returns it.
    func acceptUserMessage(_ content: String) throws(Refusal) -> String {
        let text = Self.trimmed(content)
        guard !text.isEmpty else { throw .empty }
        guard status == .stable else { throw .notWaiting }
        setStatus(.running)
        append(role: "user", content: text)
        return text
    }

    /// Appends a message and returns its id (its index).
    @discardableResult
    func append(role: String, content: String) -> Int {
        let message = Self.message(id: messages.count, role: role, content: content)
        messages.append(message)
        publish(.messageUpdate(message))
        return message.id
    }

    /// Rewrites a message in place, as agentapi does while an agent's answer grows.
    func update(id: Int, content: String) {
        guard messages.indices.contains(id), messages[id].content != content else { return }
        messages[id].content = content
        messages[id].time = Timestamp.now()
        publish(.messageUpdate(messages[id]))
    }

    /// `status_change` is sent only for a real change (agentapi.md §2.6).
    func setStatus(_ new: Status) {
        guard new != status else { return }
        status = new
        publish(.statusChange(new))
    }

    func setStatusExtras(_ fields: [(key: String, value: GoJSON)]) {
        statusExtras = fields
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

    /// Ends every event stream; used when the agent stops.
    func close() {
        closed = true
        for input in subscribers.values { input.finish() }
        subscribers.removeAll()
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
